import type { DatabasePool } from "slonik";
import { AppError } from "../errors.ts";
import { enforceRateLimit, rateKeys } from "../rate-limit/index.ts";
import { hashPassword } from "./password.ts";
import { insertUser } from "./queries.ts";
import type { RegisterInput, Session } from "./schemas.ts";
import { type ClientInfo, issueSession } from "./session.ts";
import type { AuthSettings } from "./settings.ts";

/**
 * Creates an account (email already validated and lower-cased by RegisterInput) and signs it in.
 * Throws `conflict` when the email is taken, `invalid_input` when the password contains the email,
 * and `rate_limited` past the per-IP sign-up limit (argon2 is costly; when `client.ip` is known).
 */
export async function registerUser(
  pool: DatabasePool,
  settings: AuthSettings,
  input: RegisterInput,
  options: { client?: ClientInfo; now?: Date } = {},
): Promise<Session> {
  const local = input.email.split("@")[0] ?? "";
  if (local.length >= 4 && input.password.toLowerCase().includes(local)) {
    throw new AppError("invalid_input", "Invalid request: password: must not contain your email address", {
      details: { fields: [{ field: "password", message: "must not contain your email address" }] },
    });
  }
  const now = options.now ?? new Date();
  const ip = options.client?.ip;
  if (ip) {
    await enforceRateLimit(pool, rateKeys.registerIp(ip), settings.registerRule, {
      now,
      what: "sign-ups",
    });
  }
  const hash = await hashPassword(input.password, settings.passwordHash);
  return pool.transaction(async (tx) => {
    const user = await insertUser(tx, input.email, hash, input.display_name ?? null);
    if (!user) {
      throw new AppError("conflict", "An account with this email already exists. Sign in instead.", {
        details: { field: "email" },
      });
    }
    return (await issueSession(tx, settings.session, user, { client: options.client, now })).session;
  });
}
