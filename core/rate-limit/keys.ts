import { createHash } from "node:crypto";

/**
 * Bucket keys, namespaced per limit so two limits never share a bucket. The rules themselves
 * (limits and windows) are built from config in core/settings.ts; use both with `consume` or
 * `enforceRateLimit`, e.g. `enforceRateLimit(tx, rateKeys.outcomes(userId), settings.rateRules.outcomes)`.
 */
export const rateKeys = {
  loginIp: (ip: string) => `login:ip:${ip}`,
  registerIp: (ip: string) => `register:ip:${ip}`,
  outcomes: (userId: string) => `outcomes:user:${userId}`,
  evolutions: (playbookId: string) => `evolutions:playbook:${playbookId}`,
  /** An account key that never stores the email itself, the same for known and unknown emails. */
  account: (email: string) =>
    `account:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`,
};
