import type { CommonQueryMethods } from "slonik";
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

interface Waiting {
  now: Date;
  resolve(result: CountedRequest): void;
  reject(error: unknown): void;
}

/**
 * Counts requests against a bucket in batches. One count per bucket is on its way to the
 * database at a time; requests for that bucket arriving meanwhile wait and go together as the
 * next count (`rate_limit_take` with their number), which grants as many as still fit, in
 * arrival order, and counts only those. So a burst of one user's concurrent reports updates the
 * user's bucket row a few times instead of once per report (that row was the report path's
 * bottleneck: issue 13), and the database still decides every request: limits hold across
 * processes exactly as before, never overshooting. A lone request costs what it did.
 *
 * A batch is counted at the latest `now` among its requests: never earlier than any of them, so
 * each counts for at least its own window.
 */
export function createRateCounter(db: CommonQueryMethods): RateCounter {
  const queues = new Map<string, Waiting[]>();

  async function drain(id: string, key: string, rule: RateRule, queue: Waiting[]) {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      const now = new Date(Math.max(...batch.map((w) => w.now.getTime())));
      try {
        const take = await takeTokens(db, key, rule.limit, rule.windowSeconds, now, batch.length);
        const before = take.used - take.granted;
        batch.forEach((waiting, i) => {
          const allowed = i < take.granted;
          const hit = {
            allowed,
            used: allowed ? before + i + 1 : take.used,
            retry_after: allowed ? 0 : take.retry_after,
            reset_after: take.reset_after,
          };
          waiting.resolve({ ...settleHit(key, rule, hit), countedAt: now });
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queues.delete(id);
  }

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
      return new Promise((resolve, reject) => {
        const id = `${rule.limit}/${rule.windowSeconds} ${key}`;
        const queue = queues.get(id);
        if (queue) {
          queue.push({ now, resolve, reject });
          return;
        }
        const fresh: Waiting[] = [{ now, resolve, reject }];
        queues.set(id, fresh);
        void drain(id, key, rule, fresh);
      });
    },
  };
}
