import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** Every SQL statement of rate limiting. Each takes the connection first (pool or transaction). */

/**
 * Token bucket in one statement: refill by elapsed time (capped at `limit`), then take one token.
 * The returned balance tells the decision apart: >= 0 allowed, < 0 refused. A refused request is
 * stored as (available - 1), in [-1, 0), and the next call adds that 1 back first, so refusals
 * cost nothing and Retry-After stays exact. `now` comes from the caller so tests can move the clock.
 */
export const takeToken = (
  db: CommonQueryMethods,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
) =>
  db.oneFirst(sql.type(z.object({ tokens: z.number() }))`
    insert into rate_limit_buckets as b (key, tokens, updated_at)
    values (${key}, ${limit - 1}, ${sql.timestamp(now)})
    on conflict (key) do update set
      tokens = greatest(
        least(
          ${limit}::float8,
          (case when b.tokens < 0 then b.tokens + 1 else b.tokens end)
            + greatest(0, extract(epoch from excluded.updated_at - b.updated_at))
            * ${limit}::float8 / ${windowSeconds}::float8
        ) - 1,
        -1
      ),
      updated_at = greatest(b.updated_at, excluded.updated_at)
    returning tokens`);
