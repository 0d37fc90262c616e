import { randomUUID } from "node:crypto";
import type { CommonQueryMethods } from "slonik";
import { insertRefreshToken, type UserRow } from "./queries.ts";
import type { Session, User } from "./schemas.ts";
import type { SessionSettings } from "./settings.ts";
import { hashSecret, randomSecret, signAccessToken } from "./tokens.ts";

/** Where a session was started from; stored with the refresh token for the user's own review. */
export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  display_name: row.display_name,
  created_at: row.created_at.toISOString(),
});

/**
 * Issues an access token and a new refresh token for `user`. A null `familyId` starts a new
 * family (a new sign-in); rotation passes the old token's family so theft detection can revoke
 * the whole chain. Only the refresh token's hash is stored.
 */
export async function issueSession(
  db: CommonQueryMethods,
  settings: SessionSettings,
  user: UserRow,
  options: { familyId?: string; client?: ClientInfo; now: Date },
): Promise<{ session: Session; refreshTokenId: string }> {
  const refreshToken = randomSecret(32);
  const expiresAt = new Date(options.now.getTime() + settings.refreshTokenDays * 86_400_000);
  const familyId = options.familyId ?? randomUUID();
  const refreshTokenId = await insertRefreshToken(db, {
    userId: user.id,
    familyId,
    tokenHash: hashSecret(refreshToken),
    expiresAt,
    userAgent: options.client?.userAgent?.slice(0, 300) ?? null,
    ip: options.client?.ip ?? null,
  });
  const ttl = settings.accessTokenMinutes * 60;
  const session: Session = {
    // The family is the session: its access tokens end with it (logout, theft detection).
    access_token: await signAccessToken(
      settings.jwtSecret,
      { userId: user.id, sessionId: familyId },
      ttl,
      options.now,
    ),
    token_type: "Bearer",
    expires_in: ttl,
    refresh_token: refreshToken,
    refresh_expires_at: expiresAt.toISOString(),
    user: toUser(user),
  };
  return { session, refreshTokenId };
}
