import type { DatabasePool } from "slonik";
import { pruneExpiredRefreshTokens } from "./auth/queries.ts";
import { pruneLoginFailures } from "./auth/queries-lockout.ts";
import { pruneIdleBuckets } from "./rate-limit/queries.ts";

/**
 * Deletes state that can no longer matter (run hourly by the worker): rate-limit buckets idle for
 * a day (longer than any window: such a bucket and a missing one behave the same), login-failure records that are neither
 * recent nor locking, and refresh tokens a day past expiry. Returns how many rows each lost.
 */
export async function pruneExpiredState(pool: DatabasePool, now: Date = new Date()) {
  const buckets = await pruneIdleBuckets(pool, now);
  const loginFailures = await pruneLoginFailures(pool, now);
  const refreshTokens = await pruneExpiredRefreshTokens(pool, now);
  return { buckets, loginFailures, refreshTokens };
}
