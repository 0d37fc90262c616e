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
  db.one(sql.prepared("rate_limit_hit", Hit)`
    select allowed, used, retry_after, reset_after
    from rate_limit_hit(${key}, ${limit}, ${windowSeconds}, ${sql.timestamp(now)})`);

const Take = z.object({
  granted: z.number(),
  used: z.number(),
  retry_after: z.number(),
  reset_after: z.number(),
});

/**
 * Counts up to `count` requests against the bucket `key` at once (`rate_limit_take`,
 * sql/0008_rate_limit_batches.sql): grants as many as fit, counts only those.
 */
export const takeTokens = (
  db: CommonQueryMethods,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
  count: number,
) =>
  db.one(sql.prepared("rate_limit_take", Take)`
    select granted, used, retry_after, reset_after
    from rate_limit_take(${key}, ${limit}, ${windowSeconds}, ${sql.timestamp(now)}, ${count})`);

/** Gives back one request `recordHit` counted at `now` (sql/0007_hot_paths.sql, rate_limit_refund). */
export const refundHit = (db: CommonQueryMethods, key: string, windowSeconds: number, now: Date) =>
  db.query(sql.unsafe`select rate_limit_refund(${key}, ${windowSeconds}, ${sql.timestamp(now)})`);

/**
 * Deletes buckets idle for a day, longer than any window (such a bucket and a missing one behave
 * the same); returns how many went.
 */
export const pruneIdleBuckets = (db: CommonQueryMethods, now: Date, batch: number) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    with gone as (
      delete from rate_limit_buckets where key in (
        select key from rate_limit_buckets
        where updated_at < ${now.toISOString()}::timestamptz - interval '1 day'
        limit ${batch} for update skip locked)
      returning 1)
    select count(*) as n from gone`);
