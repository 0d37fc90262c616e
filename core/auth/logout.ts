import type { DatabasePool } from "slonik";
import { revokeFamilyOfToken } from "./queries.ts";
import type { SessionRegistry } from "./sessions.ts";
import { hashSecret } from "./tokens.ts";

/**
 * Ends the session the refresh token belongs to by revoking its whole family (every rotation of
 * that sign-in). Idempotent: an unknown or already revoked token is not an error, since the
 * outcome the client wants, being signed out, already holds. The session's access tokens are
 * refused from the next request on, in every process (the revocation NOTIFYs them on commit).
 */
export async function logoutSession(
  pool: DatabasePool,
  sessions: SessionRegistry,
  refreshToken: string,
  now = new Date(),
): Promise<void> {
  const ended = await revokeFamilyOfToken(pool, hashSecret(refreshToken), now);
  sessions.ended(ended.map((row) => row.id));
}
