import type { DatabasePool } from "slonik";
import { recordAuditEvent } from "../audit/record.ts";
import { revokeFamilyOfToken } from "./queries.ts";
import type { ClientInfo } from "./session.ts";
import { hashSecret } from "./tokens.ts";

/**
 * Ends the session the refresh token belongs to by revoking its whole family (every rotation of
 * that sign-in), and records `signed_out` for its owner in the same transaction. Idempotent: an
 * unknown or already revoked token is not an error (and records nothing), since the outcome the
 * client wants, being signed out, already holds. Access tokens already issued stay valid until
 * they expire (minutes).
 */
export async function logoutSession(
  pool: DatabasePool,
  refreshToken: string,
  options: { client?: ClientInfo; now?: Date } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  await pool.transaction(async (tx) => {
    const owner = await revokeFamilyOfToken(tx, hashSecret(refreshToken), now);
    if (owner) await recordAuditEvent(tx, { userId: owner, type: "signed_out", client: options.client, now });
  });
}
