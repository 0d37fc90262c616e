import type { CommonQueryMethods } from "slonik";
import { AppError } from "../errors.ts";
import { notifyObservers } from "./observe.ts";
import { recordHit, refundHit } from "./queries.ts";
import type { RateLimitResult, RateRule } from "./types.ts";

/**
 * Counts one request against the bucket `key` under `rule` in a single SQL statement (safe under
 * concurrency: the row lock serialises callers). Never throws for a refused request: check
 * `allowed`. Throws only if the database fails. Observers (observe.ts) see every result.
 * `now` exists for tests.
 */
export async function consume(
  db: CommonQueryMethods,
  key: string,
  rule: RateRule,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const { limit, windowSeconds } = rule;
  if (rule.enabled === false) {
    return { allowed: true, limit, remaining: limit, resetSeconds: 0, retryAfterSeconds: 0 };
  }
  const hit = await recordHit(db, key, limit, windowSeconds, now);
  const result: RateLimitResult = {
    allowed: hit.allowed,
    limit,
    remaining: Math.max(0, limit - hit.used),
    resetSeconds: Math.ceil(hit.reset_after),
    retryAfterSeconds: hit.allowed ? 0 : Math.max(1, Math.ceil(hit.retry_after)),
  };
  notifyObservers(key, result);
  return result;
}

/** The `rate_limited` error for a refused result; details carry what the headers need. */
export function rateLimitedError(result: RateLimitResult, what = "requests"): AppError {
  return new AppError(
    "rate_limited",
    `Too many ${what}: the limit is ${result.limit}. Try again in ${result.retryAfterSeconds} seconds.`,
    {
      retryAfterSeconds: result.retryAfterSeconds,
      details: {
        limit: result.limit,
        remaining: result.remaining,
        reset_seconds: result.resetSeconds,
        retry_after_seconds: result.retryAfterSeconds,
      },
    },
  );
}

/**
 * Like `consume`, but throws AppError `rate_limited` (with retryAfterSeconds and the limit in
 * details) when the request is refused. Returns the result when allowed, for response headers.
 */
export async function enforceRateLimit(
  db: CommonQueryMethods,
  key: string,
  rule: RateRule,
  options: { now?: Date; what?: string } = {},
): Promise<RateLimitResult> {
  const result = await consume(db, key, rule, options.now);
  if (!result.allowed) throw rateLimitedError(result, options.what);
  return result;
}

/**
 * Takes a token like `enforceRateLimit` and returns a function that gives it back, for a caller
 * that consumes in its own statement (holding the bucket's row lock only that long) and learns
 * afterwards that the request did nothing. Never overshoots: taking is atomic, giving back only
 * lowers the count.
 */
export async function takeRateToken(
  db: CommonQueryMethods,
  key: string,
  rule: RateRule,
  options: { now?: Date; what?: string } = {},
): Promise<() => Promise<void>> {
  const now = options.now ?? new Date();
  await enforceRateLimit(db, key, rule, { ...options, now });
  if (rule.enabled === false) return async () => {};
  return async () => {
    await refundHit(db, key, rule.windowSeconds, now);
  };
}
