import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** Every SQL statement of rate limiting. Each takes the connection first (pool or transaction). */

const Hit = z.object({
  allowed: z.boolean(),
  used: z.number(),
  retry_after: z.number(),
  reset_after: z.number(),
});

/**
 * Counts one request against the bucket `key` in one statement: `rate_limit_hit` (see the schema)
 * keeps a sliding window of 60 slots, so no rolling window ever holds more than `limit` allowed
 * requests, and refused requests cost nothing. The row lock serialises concurrent callers.
 * `now` comes from the caller so tests can move the clock.
 */
export const recordHit = (
  db: CommonQueryMethods,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
) =>
  db.one(sql.type(Hit)`
    select allowed, used, retry_after, reset_after
    from rate_limit_hit(${key}, ${limit}, ${windowSeconds}, ${sql.timestamp(now)})`);
