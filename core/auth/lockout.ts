import type { CommonQueryMethods } from "slonik";
import { AppError } from "../errors.ts";
import { recordAccountLockoutRefusal } from "../metrics/index.ts";
import { rateKeys } from "../rate-limit/keys.ts";
import {
  clearLoginFailures,
  type LockoutPolicy,
  lockedUntil,
  recordLoginFailure,
} from "./queries-lockout.ts";

/**
 * Per-account lockout after repeated failed logins: 5 failures are free, then 30 s, 60 s, 120 s…
 * up to an hour; forgotten after a day without failures and cleared by a successful login.
 * Keyed by a hash of the lower-cased email, so unknown emails lock exactly like real ones and the
 * responses never reveal whether an account exists.
 */
export const LOCKOUT: LockoutPolicy = {
  freeFailures: 5,
  baseSeconds: 30,
  maxSeconds: 3600,
  forgetAfterSeconds: 86_400,
};

/** Throws `rate_limited` (with retryAfterSeconds) while the account is locked. */
export async function assertNotLocked(db: CommonQueryMethods, email: string, now: Date): Promise<void> {
  const until = await lockedUntil(db, rateKeys.account(email));
  if (!until || until.getTime() <= now.getTime()) return;
  const seconds = Math.ceil((until.getTime() - now.getTime()) / 1000);
  recordAccountLockoutRefusal();
  throw new AppError(
    "rate_limited",
    `Too many failed sign-in attempts for this account. Try again in ${seconds} seconds.`,
    { retryAfterSeconds: seconds, details: { retry_after_seconds: seconds } },
  );
}

/** Counts a failure; returns how long the account is now locked for (0 when not locked). */
export async function noteLoginFailure(
  db: CommonQueryMethods,
  email: string,
  now: Date,
  policy: LockoutPolicy = LOCKOUT,
): Promise<number> {
  const row = await recordLoginFailure(db, rateKeys.account(email), policy, now);
  return row.locked_until ? Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000) : 0;
}

export const clearLockout = (db: CommonQueryMethods, email: string) =>
  clearLoginFailures(db, rateKeys.account(email));
