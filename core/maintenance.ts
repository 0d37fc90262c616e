import { type DatabasePool, sql } from "slonik";
import { z } from "zod";

/**
 * Deletes state that can no longer matter (run hourly by the worker): rate-limit buckets idle for
 * a day (longer than any window: such a bucket and a missing one behave the same), login-failure records that are neither
 * recent nor locking, and refresh tokens a day past expiry. Returns how many rows each lost.
 */
export async function pruneExpiredState(pool: DatabasePool, now: Date = new Date()) {
  const at = now.toISOString();
  const count = z.object({ n: z.number() });
  const buckets = await pool.oneFirst(sql.type(count)`
    with gone as (delete from rate_limit_buckets where updated_at < ${at}::timestamptz - interval '1 day' returning 1)
    select count(*) as n from gone`);
  const loginFailures = await pool.oneFirst(sql.type(count)`
    with gone as (
      delete from login_failures
      where last_failure_at < ${at}::timestamptz - interval '1 day'
        and (locked_until is null or locked_until < ${at}::timestamptz)
      returning 1)
    select count(*) as n from gone`);
  const refreshTokens = await pool.oneFirst(sql.type(count)`
    with gone as (delete from refresh_tokens where expires_at < ${at}::timestamptz - interval '1 day' returning 1)
    select count(*) as n from gone`);
  return { buckets, loginFailures, refreshTokens };
}
