import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { AppError } from "../errors.ts";
import { notifyObservers } from "./observe.ts";
import { recordHit } from "./queries.ts";
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

const PEEK = Symbol("rate-limit peek");

/**
 * What `consume` would decide for one more request now, without counting it: the same SQL runs in
 * a savepoint that is rolled back, so the answer can never drift from the real rule. Observers
 * are not told (nothing was spent). For "can I do this now, and if not, when?" questions.
 */
export async function peekRateLimit(
  db: DatabaseTransactionConnection,
  key: string,
  rule: RateRule,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const { limit, windowSeconds } = rule;
  if (rule.enabled === false) {
    return { allowed: true, limit, remaining: limit, resetSeconds: 0, retryAfterSeconds: 0 };
  }
  let hit: Awaited<ReturnType<typeof recordHit>> | undefined;
  try {
    await db.transaction(async (savepoint) => {
      hit = await recordHit(savepoint, key, limit, windowSeconds, now);
      throw PEEK;
    });
  } catch (error) {
    if (error !== PEEK) throw error;
  }
  if (!hit) throw new Error("rate-limit peek: no result"); // cannot happen: recordHit returns one row
  return {
    allowed: hit.allowed,
    limit,
    remaining: Math.max(0, limit - hit.used + (hit.allowed ? 1 : 0)),
    resetSeconds: Math.ceil(hit.reset_after),
    retryAfterSeconds: hit.allowed ? 0 : Math.max(1, Math.ceil(hit.retry_after)),
  };
}
