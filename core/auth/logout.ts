import type { DatabasePool } from "slonik";
import { recordAuditEvent } from "../audit/record.ts";
import { AppError } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { revokeFamilyOfToken, revokeUserFamilies } from "./queries.ts";
import type { ClientInfo } from "./session.ts";
import type { SessionRegistry } from "./sessions.ts";
import { hashSecret } from "./tokens.ts";

/**
 * Ends the session the refresh token belongs to by revoking its whole family (every rotation of
 * that sign-in), and records `signed_out` for its owner in the same transaction. Idempotent: an
 * unknown or already revoked token is not an error (and records nothing), since the outcome the
 * client wants, being signed out, already holds. The session's access tokens are refused from the
 * next request on, in every process (the revocation NOTIFYs them on commit).
 */
export async function logoutSession(
  pool: DatabasePool,
  sessions: SessionRegistry,
  refreshToken: string,
  options: { client?: ClientInfo; now?: Date } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  const ended = await pool.transaction(async (tx) => {
    const rows = await revokeFamilyOfToken(tx, hashSecret(refreshToken), now);
    const owner = rows[0]?.user_id;
    if (owner) await recordAuditEvent(tx, { userId: owner, type: "signed_out", client: options.client, now });
    return rows;
  });
  sessions.ended(ended.map((row) => row.id));
}

/**
 * "Sign out everywhere": ends every session of the caller (every refresh-token family, this one
 * included) and records `signed_out_everywhere` with the number ended, in one transaction. Their
 * access tokens are refused from the next request on, in every process. Signed-in sessions only:
 * throws `forbidden` for an API-key caller (revoke keys one by one instead).
 */
export async function logoutEverywhere(
  pool: DatabasePool,
  sessions: SessionRegistry,
  caller: Caller,
  options: { client?: ClientInfo; now?: Date } = {},
): Promise<{ sessions_ended: number }> {
  if (caller.via !== "jwt") {
    throw new AppError(
      "forbidden",
      "Signing out everywhere needs a signed-in session, not an API key. Revoke API keys under /v1/auth/api-keys.",
      { details: { required: "session" } },
    );
  }
  const now = options.now ?? new Date();
  const ended = await pool.transaction(async (tx) => {
    const rows = await revokeUserFamilies(tx, caller.userId, now);
    await recordAuditEvent(tx, {
      userId: caller.userId,
      type: "signed_out_everywhere",
      client: options.client,
      details: { sessions_ended: rows.length },
      now,
    });
    return rows;
  });
  sessions.ended(ended.map((row) => row.id));
  return { sessions_ended: ended.length };
}
