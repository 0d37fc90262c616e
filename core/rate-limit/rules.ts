import { createHash } from "node:crypto";
import type { Config } from "../config.ts";
import type { RateRule } from "./consume.ts";

/**
 * Every named limit of the platform, built from config so limits stay configurable and
 * RATE_LIMIT_ENABLED=false turns them all off. Use with `consume`/`enforceRateLimit` and a key
 * from `rateKeys`, e.g. `enforceRateLimit(pool, rateKeys.outcomes(userId), rateRules(config).outcomes)`.
 */
export function rateRules(config: Config) {
  const enabled = config.rateLimits.enabled;
  return {
    /** Login attempts per client IP. */
    loginPerIp: { limit: config.rateLimits.loginPerMinute, windowSeconds: 60, enabled },
    /** Sign-ups per client IP (argon2 hashing is costly, so sign-up is limited like login). */
    registerPerIp: { limit: config.rateLimits.loginPerMinute, windowSeconds: 60, enabled },
    /** Outcome reports per user. */
    outcomes: { limit: config.rateLimits.outcomesPerHour, windowSeconds: 3600, enabled },
    /** Manually triggered evolutions per playbook. */
    evolutions: { limit: config.rateLimits.evolutionsPerHour, windowSeconds: 3600, enabled },
  } satisfies Record<string, RateRule>;
}

export type RateRules = ReturnType<typeof rateRules>;

/** Bucket keys, namespaced per limit so two limits never share a bucket. */
export const rateKeys = {
  loginIp: (ip: string) => `login:ip:${ip}`,
  registerIp: (ip: string) => `register:ip:${ip}`,
  outcomes: (userId: string) => `outcomes:user:${userId}`,
  evolutions: (playbookId: string) => `evolutions:playbook:${playbookId}`,
  /** An account key that never stores the email itself, the same for known and unknown emails. */
  account: (email: string) =>
    `account:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`,
};
