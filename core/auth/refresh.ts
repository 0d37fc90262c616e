import type { DatabasePool } from "slonik";
import { recordAuditEvent } from "../audit/record.ts";
import { AppError } from "../errors.ts";
import {
  findRefreshTokenForUpdate,
  findUserById,
  markRefreshTokenUsed,
  revokeRefreshFamily,
} from "./queries.ts";
import type { Session } from "./schemas.ts";
import { type ClientInfo, issueSession } from "./session.ts";
import type { SessionRegistry } from "./sessions.ts";
import type { SessionSettings } from "./settings.ts";
import { hashSecret } from "./tokens.ts";

const signInAgain = (why: string) =>
  new AppError("unauthenticated", `${why} Sign in again.`, { details: { reason: "refresh_token" } });

type Outcome = { session: Session } | { error: AppError; ended?: string };

/**
 * Two browser tabs refreshing at once present the same token; the loser must not end the session.
 * A token reused this soon after its rotation is refused without revoking the family (the caller
 * retries with the new token, which a browser's cookie already holds). Later reuse means a copy.
 */
export const REFRESH_REUSE_GRACE_MS = 10_000;

/**
 * Exchanges a refresh token for a new session, rotating it: the presented token is marked used and
 * replaced by a new one in the same family. Presenting a token that was already used (after the
 * grace window above) means it was copied, so the whole family is revoked (committed; its access
 * tokens end with it, in this process at once through `sessions`) and `unauthenticated` thrown;
 * unknown, revoked and expired tokens are `unauthenticated` too.
 */
export async function refreshSession(
  pool: DatabasePool,
  settings: SessionSettings,
  refreshToken: string,
  options: { client?: ClientInfo; now?: Date; sessions?: SessionRegistry } = {},
): Promise<Session> {
  const now = options.now ?? new Date();
  // The transaction returns the error instead of throwing it, so the family revocation commits.
  const outcome = await pool.transaction(async (tx): Promise<Outcome> => {
    const token = await findRefreshTokenForUpdate(tx, hashSecret(refreshToken));
    if (!token || token.revoked_at) return { error: signInAgain("This session has ended.") };
    if (token.used_at && now.getTime() - token.used_at.getTime() < REFRESH_REUSE_GRACE_MS) {
      return {
        error: new AppError(
          "unauthenticated",
          "This refresh token was just exchanged by another request: use the new one (in a browser, retry: the cookie holds it).",
          { details: { reason: "refresh_token_rotated" } },
        ),
      };
    }
    if (token.used_at) {
      await revokeRefreshFamily(tx, token.family_id, now);
      await recordAuditEvent(tx, {
        userId: token.user_id,
        type: "refresh_token_reuse_detected",
        client: options.client,
        now,
      });
      return {
        ended: token.family_id,
        error: signInAgain("This refresh token was already used, so the session was closed for safety."),
      };
    }
    if (token.expires_at.getTime() <= now.getTime())
      return { error: signInAgain("This session has expired.") };
    const user = await findUserById(tx, token.user_id);
    if (!user) return { error: signInAgain("This account no longer exists.") };
    const next = await issueSession(tx, settings, user, {
      familyId: token.family_id,
      client: options.client,
      now,
    });
    await markRefreshTokenUsed(tx, token.id, next.refreshTokenId, now);
    return { session: next.session };
  });
  if ("error" in outcome) {
    if (outcome.ended) options.sessions?.ended([outcome.ended]);
    throw outcome.error;
  }
  return outcome.session;
}
