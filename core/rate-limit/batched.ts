import type { CommonQueryMethods } from "slonik";
import { createGroupCommit } from "../db/group-commit.ts";
import { settleHit } from "./consume.ts";
import { takeTokens } from "./queries.ts";
import type { RateLimitResult, RateRule } from "./types.ts";

/** A counted request: the result, and the instant it was counted at (what a refund must name). */
export interface CountedRequest extends RateLimitResult {
  countedAt: Date;
}

export interface RateCounter {
  /** Counts one request against `key` under `rule`, as `consume` does; never throws a refusal. */
  consume(key: string, rule: RateRule, now?: Date): Promise<CountedRequest>;
}

/**
 * Counts requests against a bucket in batches (core/db/group-commit.ts). One count per bucket is
 * on its way to the database at a time; requests for that bucket arriving meanwhile go together
 * as the next count (`rate_limit_take` with their number), which grants as many as still fit, in
 * arrival order, and counts only those. So a burst of one user's concurrent reports updates the
 * user's bucket row a few times instead of once per report (that row was the report path's
 * bottleneck: issue 13), and the database still decides every request: limits hold across
 * processes exactly as before, never overshooting. A lone request costs what it did.
 *
 * A batch is counted at the latest `now` among its requests: never earlier than any of them, so
 * each counts for at least its own window.
 */
export function createRateCounter(db: CommonQueryMethods): RateCounter {
  // Calls of one batch share their key and rule (the group's id names both).
  const count = createGroupCommit<{ key: string; rule: RateRule; now: Date }, CountedRequest>(
    async (_, items) => {
      const { key, rule } = items[0]!;
      const now = new Date(Math.max(...items.map((item) => item.now.getTime())));
      const take = await takeTokens(db, key, rule.limit, rule.windowSeconds, now, items.length);
      const before = take.used - take.granted;
      return items.map((_, i) => {
        const allowed = i < take.granted;
        const hit = {
          allowed,
          used: allowed ? before + i + 1 : take.used,
          retry_after: allowed ? 0 : take.retry_after,
          reset_after: take.reset_after,
        };
        return { ...settleHit(key, rule, hit), countedAt: now };
      });
    },
  );

  return {
    consume(key, rule, now = new Date()) {
      if (rule.enabled === false) {
        const { limit } = rule;
        return Promise.resolve({
          allowed: true,
          limit,
          remaining: limit,
          resetSeconds: 0,
          retryAfterSeconds: 0,
          countedAt: now,
        });
      }
      return count(`${rule.limit}/${rule.windowSeconds} ${key}`, { key, rule, now });
    },
  };
}
