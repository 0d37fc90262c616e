import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** Every SQL statement of rate limiting. Each takes the connection first (pool or transaction). */

const Window = z.object({
  allowed: z.boolean(),
  used: z.number(),
  /** Epoch seconds when a slot frees up (the hit that must leave the window for one more to fit). */
  frees_at: z.number().nullable(),
  /** Epoch seconds of the newest hit: when it leaves the window, the whole limit is free again. */
  newest: z.number().nullable(),
});

/**
 * Sliding log in one statement: keep the bucket's hits younger than the window, and record this
 * request only if fewer than `limit` remain. So no window of `windowSeconds` ever holds more than
 * `limit` allowed requests (a token bucket allows twice that around a burst), and refused
 * requests cost nothing. The row lock serialises concurrent callers. Returns the decision and
 * what the caller derives remaining and retry times from.
 * `now` comes from the caller so tests can move the clock.
 */
export const recordHit = (
  db: CommonQueryMethods,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
) => {
  const cutoff = sql.fragment`${sql.timestamp(now)} - make_interval(secs => ${windowSeconds})`;
  // In an upsert's SET every expression sees the row as it was, so both read the old hits.
  const recent = sql.fragment`array(select h from unnest(b.hits) h where h > ${cutoff} order by h)`;
  return db.one(sql.type(Window)`
    insert into rate_limit_buckets as b (key, hits, allowed, updated_at)
    values (${key}, array[${sql.timestamp(now)}], true, ${sql.timestamp(now)})
    on conflict (key) do update set
      hits = case when cardinality(${recent}) < ${limit} then ${recent} || excluded.updated_at else ${recent} end,
      allowed = cardinality(${recent}) < ${limit},
      updated_at = greatest(b.updated_at, excluded.updated_at)
    returning allowed, cardinality(hits) as used,
      extract(epoch from hits[greatest(1, cardinality(hits) - ${limit} + 1)])::float8 as frees_at,
      extract(epoch from hits[cardinality(hits)])::float8 as newest`);
};
