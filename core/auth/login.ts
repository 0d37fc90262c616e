import type { CommonQueryMethods, DatabasePool } from "slonik";
import { recordAuditEvent } from "../audit/record.ts";
import { AppError } from "../errors.ts";
import { enforceRateLimit, rateKeys } from "../rate-limit/index.ts";
import { assertNotLocked, clearLockout, noteLoginFailure } from "./lockout.ts";
import { burnPasswordCheck, verifyPassword } from "./password.ts";
import { findUserByEmail, touchLastLogin } from "./queries.ts";
import type { LoginInput, Session } from "./schemas.ts";
import { type ClientInfo, issueSession } from "./session.ts";
import type { AuthSettings } from "./settings.ts";

const WRONG = "Email or password is incorrect.";

/**
 * Signs a user in. Throws `rate_limited` past the per-IP limit (RATE_LIMIT_LOGIN_PER_MINUTE, when
 * `client.ip` is known; `settings.loginRule`) or while the account is locked after repeated failures, and
 * `unauthenticated` with one message for an unknown email and a wrong password alike (same work,
 * same timing). A success clears the account's failure count.
 */
export async function loginUser(
  pool: DatabasePool,
  settings: AuthSettings,
  input: LoginInput,
  options: { client?: ClientInfo; now?: Date } = {},
): Promise<Session> {
  const now = options.now ?? new Date();
  const ip = options.client?.ip;
  if (ip) {
    await enforceRateLimit(pool, rateKeys.loginIp(ip), settings.loginRule, {
      now,
      what: "sign-in attempts",
    });
  }
  await assertNotLocked(pool, input.email, now);
  const user = await findUserByEmail(pool, input.email);
  const ok = user
    ? await verifyPassword(input.password, user.password_hash)
    : await burnPasswordCheck(input.password, settings.passwordHash).then(() => false);
  if (!user || !ok) {
    // An unknown email is nobody's event: there is no account to show it to (metrics count it).
    const lockedFor = await pool.transaction(async (tx) => {
      const seconds = await noteLoginFailure(tx, input.email, now);
      if (user) await auditFailure(tx, user.id, seconds, { client: options.client, now });
      return seconds;
    });
    throw new AppError(
      "unauthenticated",
      WRONG,
      lockedFor > 0 ? { details: { locked_seconds: lockedFor } } : {},
    );
  }
  await clearLockout(pool, input.email);
  return pool.transaction(async (tx) => {
    await touchLastLogin(tx, user.id, now);
    await recordAuditEvent(tx, { userId: user.id, type: "signed_in", client: options.client, now });
    return (await issueSession(tx, settings.session, user, { client: options.client, now })).session;
  });
}

/** A wrong password for a real account, and the lock it started when it was one too many. */
async function auditFailure(
  tx: CommonQueryMethods,
  userId: string,
  lockedSeconds: number,
  at: { client?: ClientInfo; now: Date },
): Promise<void> {
  await recordAuditEvent(tx, { userId, type: "sign_in_failed", ...at });
  if (lockedSeconds > 0) {
    await recordAuditEvent(tx, {
      userId,
      type: "account_locked",
      details: { locked_seconds: lockedSeconds },
      ...at,
    });
  }
}
