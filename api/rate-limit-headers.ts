import { Elysia } from "elysia";
import type { Config } from "../core/config.ts";
import { observeRateLimits, type RateLimitResult } from "../core/rate-limit/index.ts";
import { currentRequestContext, type RequestContext } from "./request-context.ts";

/**
 * RateLimit-Limit / -Remaining / -Reset on every response whose request went through a rate
 * limit, allowed or refused (Retry-After on a 429 comes from the AppError). Core stays unaware:
 * it reports each decision to an observer; this module routes it to the current request's
 * Elysia `set.headers`, which Elysia also applies to error responses.
 */

type HeaderSet = { headers: Record<string, string | number> };

const responseOf = new WeakMap<RequestContext, HeaderSet>();

export function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    "ratelimit-limit": String(result.limit),
    "ratelimit-remaining": String(result.remaining),
    "ratelimit-reset": String(result.resetSeconds),
  };
}

let registered = false;
function registerObserver(): void {
  if (registered) return;
  registered = true;
  observeRateLimits((_key, result) => {
    const context = currentRequestContext();
    const set = context && responseOf.get(context);
    if (set) Object.assign(set.headers, rateLimitHeaders(result));
  });
}

/** Include once per route module (the auth plugin does); links each request to its headers. */
export const rateLimitHeadersPlugin = () => {
  registerObserver();
  return new Elysia({ name: "rate-limit-headers" }).onTransform({ as: "global" }, ({ set }) => {
    const context = currentRequestContext();
    if (context) responseOf.set(context, set as HeaderSet);
  });
};

/**
 * The client's address for per-IP limits: the socket address, or with TRUST_PROXY=true the last
 * X-Forwarded-For entry (the one our own proxy appended; earlier entries are client-controlled).
 */
export function clientIp(request: Request, config: Config): string | null {
  if (config.http.trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  return currentRequestContext()?.ip ?? null;
}

/** Where a request came from, as the audit trail records it: the client's address and User-Agent. */
export const clientInfo = (request: Request, config: Config) => ({
  ip: clientIp(request, config),
  userAgent: request.headers.get("user-agent"),
});
