import type { DatabasePool } from "slonik";
import { revokeFamilyOfToken } from "./queries.ts";
import { hashSecret } from "./tokens.ts";

/**
 * Ends the session the refresh token belongs to by revoking its whole family (every rotation of
 * that sign-in). Idempotent: an unknown or already revoked token is not an error, since the
 * outcome the client wants, being signed out, already holds. Access tokens already issued stay
 * valid until they expire (minutes).
 */
export async function logoutSession(
  pool: DatabasePool,
  refreshToken: string,
  now = new Date(),
): Promise<void> {
  await revokeFamilyOfToken(pool, hashSecret(refreshToken), now);
}
