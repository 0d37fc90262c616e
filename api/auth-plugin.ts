import { Elysia } from "elysia";
import { type Caller, requireScope, type Scope } from "../core/auth/caller.ts";
import type { Deps } from "../core/create-core.ts";
import { AppError } from "../core/errors.ts";
import { rateLimitHeadersPlugin } from "./rate-limit-headers.ts";
import { errors } from "./schemas.ts";

/** Both ways to authenticate; either satisfies a route (OpenAPI "or"). */
export const SECURITY: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { apiKeyHeader: [] }];

type Hook = { response?: unknown };

/** Documents 401 (and 403 when a scope is required) unless the route already does. */
function documentAuthErrors(hook: Hook, withScope: boolean): void {
  const extra = withScope ? errors(401, 403) : errors(401);
  const r = hook.response as Record<string, unknown> | undefined;
  const isStatusMap =
    r && typeof r === "object" && !("~standard" in r) && !("type" in r) && !(Symbol.for("TypeBox.Kind") in r);
  if (!r) hook.response = extra;
  else if (isStatusMap) for (const [status, schema] of Object.entries(extra)) r[status] ??= schema;
  else hook.response = { 200: r, ...extra };
}

/**
 * The one authentication plugin for REST routes. `.use(authPlugin(deps))`, then declare per route:
 *
 * ```ts
 * .get("/v1/things", ({ caller }) => core.things.list(caller), { auth: "read" })
 * .post("/v1/things", ({ caller, body }) => core.things.create(caller, body), { auth: "write" })
 * .get("/v1/auth/me", ({ caller }) => core.auth.me(caller), { auth: true })
 * ```
 *
 * `auth` is a Scope ("read" | "write" | "evolve") the caller must hold, or `true` for any
 * authenticated caller. Credentials: `Authorization: Bearer <JWT access token | ace_ API key>`
 * or `X-API-Key: ace_…` (JWT callers hold every scope). Missing, invalid, expired or revoked
 * credentials → 401 with WWW-Authenticate; a missing scope → 403 naming it. The handler receives
 * `caller: Caller`. The route's OpenAPI entry gets `security` and the 401/403 responses. Also
 * links RateLimit-* headers for any rate limit the route's core call applies.
 */
export const authPlugin = ({ core }: Pick<Deps, "core">) => {
  // Authentication runs in `transform`, before Elysia validates the body, so an unauthenticated
  // request learns nothing about the route's schema and an expired token gets its 401, not a 422.
  // `resolve` (after validation) hands the caller to the handler.
  const callers = new WeakMap<Request, Caller>();
  return new Elysia({ name: "auth-plugin" }).use(rateLimitHeadersPlugin()).macro({
    auth(required: Scope | true) {
      return {
        detail: { security: SECURITY },
        introspect: (hook: unknown) => documentAuthErrors(hook as Hook, required !== true),
        async transform({ request }) {
          const caller = await core.auth.resolveCaller({
            authorization: request.headers.get("authorization"),
            apiKey: request.headers.get("x-api-key"),
          });
          if (required !== true) requireScope(caller, required);
          callers.set(request, caller);
        },
        resolve({ request }): { caller: Caller } {
          const caller = callers.get(request);
          if (!caller) throw new AppError("internal", "auth: the caller was not resolved before the handler");
          return { caller };
        },
      };
    },
  });
};
