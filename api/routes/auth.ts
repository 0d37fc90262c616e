import { type Cookie, Elysia } from "elysia";
import { z } from "zod";
import { LoginInput, Me, RefreshInput, RegisterInput, Session } from "../../core/auth/index.ts";
import type { Deps } from "../../core/create-core.ts";
import { AppError } from "../../core/errors.ts";
import { authPlugin } from "../auth-plugin.ts";
import { assertCookieRequestSafe, CSRF_HEADER, CSRF_HEADER_VALUE } from "../csrf.ts";
import { ROUTE_DOC } from "../openapi-refine.ts";
import { clientInfo, rateLimitHeadersPlugin } from "../rate-limit-headers.ts";
import { errors } from "../schemas.ts";
import { SECRET_RESPONSE_HEADERS } from "../security-headers.ts";
import { apiKeyRoutes } from "./api-keys.ts";

const tags = ["auth"];
/** The dashboard's refresh token: HttpOnly (no script can read it), sent only to /v1/auth. */
const COOKIE = "ace_refresh";
const OptionalRefresh = RefreshInput.optional();

/**
 * Browsers (the dashboard) ask for `cookie_only`: the refresh token then travels only in the
 * HttpOnly cookie, never in a body a page script could read. API clients get it in the body.
 */
const CookieOnly = {
  cookie_only: z
    .boolean()
    .optional()
    .describe(
      `true for browsers: the refresh token is set only as the HttpOnly \`${COOKIE}\` cookie and left out of the body`,
    ),
};
const SessionResponse = Session.extend({
  refresh_token: z
    .string()
    .optional()
    .describe(`Absent when the refresh token travels only in the \`${COOKIE}\` cookie`),
});

/** What a cookie-authenticated request must do, for the route descriptions. */
const COOKIE_CSRF = `then send the header \`${CSRF_HEADER}: ${CSRF_HEADER_VALUE}\` (any non-empty value) and no cross-site \`Origin\` or \`Sec-Fetch-Site: cross-site\`, else 403`;

const LogoutEverywhereResult = z.object({
  sessions_ended: z.number().int().min(0).describe("How many sessions (sign-ins) were ended"),
});

const clearCookie = (cookie: Cookie<unknown>) =>
  cookie.set({ value: "", httpOnly: true, secure: true, sameSite: "strict", path: "/v1/auth", maxAge: 0 });

const example = { email: "ada@example.com", password: "correct horse battery staple" };

/** Accounts and sessions (register, login, refresh, logout, me) plus the API-key routes. */
export const authRoutes = (deps: Deps) => {
  const { core, config } = deps;
  const client = (request: Request) => clientInfo(request, config);
  /** Sets the refresh cookie and marks the response uncacheable: it carries the session's tokens. */
  const keepCookie = (
    set: { headers: Record<string, unknown> },
    cookie: Cookie<unknown>,
    session: Session,
    cookieOnly = false,
  ) => {
    Object.assign(set.headers, SECRET_RESPONSE_HEADERS);
    cookie.set({
      value: session.refresh_token,
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: "/v1/auth",
      maxAge: config.auth.refreshTokenDays * 86_400,
    });
    if (!cookieOnly) return session;
    const { refresh_token: _inCookieOnly, ...rest } = session;
    return rest;
  };
  /** The refresh token of the request: the body's, else the cookie's (then CSRF-checked). */
  const presented = (body: z.infer<typeof OptionalRefresh>, cookie: Cookie<unknown>, request: Request) => {
    if (body?.refresh_token) return body.refresh_token;
    const token = typeof cookie.value === "string" && cookie.value ? cookie.value : undefined;
    if (!token)
      throw new AppError(
        "unauthenticated",
        `No refresh token: send refresh_token in the body or the ${COOKIE} cookie.`,
      );
    assertCookieRequestSafe(request, config.http.allowedOrigins);
    return token;
  };

  return new Elysia({ name: "auth-routes" })
    .use(rateLimitHeadersPlugin())
    .use(authPlugin(deps))
    .post(
      "/v1/auth/register",
      async ({ body: { cookie_only, ...input }, request, cookie, set }) => {
        set.status = 201;
        return keepCookie(
          set,
          cookie[COOKIE]!,
          await core.auth.register(input, { client: client(request) }),
          cookie_only,
        );
      },
      {
        body: RegisterInput.extend(CookieOnly).meta({ examples: [{ ...example, display_name: "Ada" }] }),
        response: { 201: SessionResponse, ...errors(400, 409, 413, 422, 429) },
        detail: {
          tags,
          operationId: "registerUser",
          summary: "Create an account and sign in",
          description: `Passwords need at least 10 characters. Returns a session; the refresh token is also set as the HttpOnly \`${COOKIE}\` cookie (and only there with \`cookie_only: true\`).`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/login",
      async ({ body: { cookie_only, ...input }, request, cookie, set }) =>
        keepCookie(
          set,
          cookie[COOKIE]!,
          await core.auth.login(input, { client: client(request) }),
          cookie_only,
        ),
      {
        body: LoginInput.extend(CookieOnly).meta({ examples: [example] }),
        response: { 200: SessionResponse, ...errors(400, 401, 413, 422, 429) },
        detail: {
          tags,
          operationId: "loginUser",
          summary: "Sign in with email and password",
          description: `Limited per client IP (RATE_LIMIT_LOGIN_PER_MINUTE) and locked per account after repeated failures (429 with Retry-After). Sets the \`${COOKIE}\` cookie; with \`cookie_only: true\` the refresh token is not in the body.`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/refresh",
      async ({ body, request, cookie, set }) => {
        const token = presented(body, cookie[COOKIE]!, request);
        return keepCookie(
          set,
          cookie[COOKIE]!,
          await core.auth.refresh(token, { client: client(request) }),
          !body?.refresh_token, // it came in the cookie: keep it there
        );
      },
      {
        body: OptionalRefresh,
        response: { 200: SessionResponse, ...errors(400, 401, 403, 422) },
        detail: {
          tags,
          operationId: "refreshSession",
          ...ROUTE_DOC.optionalBody,
          summary: "Exchange a refresh token for a new session (rotates the refresh token)",
          description: `Send refresh_token in the body (the new one comes back in the body), or rely on the \`${COOKIE}\` cookie (the new one is set as the cookie only; ${COOKIE_CSRF}). Each refresh token works once; reusing one ends the whole session.`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/logout",
      async ({ body, cookie, request, set }) => {
        await core.auth.logout(presented(body, cookie[COOKIE]!, request), { client: client(request) });
        clearCookie(cookie[COOKIE]!);
        set.status = 204;
      },
      {
        body: OptionalRefresh,
        response: errors(400, 401, 403, 422),
        detail: {
          tags,
          operationId: "logoutSession",
          summary: "Sign out: end the session of this refresh token",
          description: `Send refresh_token in the body, or rely on the \`${COOKIE}\` cookie (${COOKIE_CSRF}).`,
          security: [],
          ...ROUTE_DOC.noContent("Signed out; the refresh cookie is cleared"),
          ...ROUTE_DOC.optionalBody,
        },
      },
    )
    .post(
      "/v1/auth/logout-all",
      async ({ caller, cookie, request, set }) => {
        const result = await core.auth.logoutEverywhere(caller, { client: client(request) });
        clearCookie(cookie[COOKIE]!);
        Object.assign(set.headers, SECRET_RESPONSE_HEADERS);
        return result;
      },
      {
        auth: true,
        response: { 200: LogoutEverywhereResult, ...errors(401, 403) },
        detail: {
          tags,
          operationId: "logoutEverywhere",
          summary: "Sign out everywhere: end every session of your account, this one included",
          description:
            "Revokes every refresh token of the account; every access token of every session is refused from the next request on, in every server process. Recorded as `signed_out_everywhere` in the security log. Needs a signed-in session (Bearer access token); an API key gets 403 (revoke keys one by one). Clears the refresh cookie.",
        },
      },
    )
    .get("/v1/auth/me", ({ caller }) => core.auth.me(caller), {
      auth: true,
      response: { 200: Me, ...errors(401) },
      detail: {
        tags,
        operationId: "getCurrentUser",
        summary: "The signed-in account and how this request authenticated",
      },
    })
    .use(apiKeyRoutes(deps));
};
