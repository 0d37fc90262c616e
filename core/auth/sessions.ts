import type { DatabasePool } from "slonik";
import type { Notifications } from "../db/notifications.ts";
import { createNotifiedCache } from "../db/notified-cache.ts";
import { isSessionActive, SESSION_ENDED_CHANNEL } from "./queries.ts";

/**
 * Which sessions still run, as every access-token check needs to know. A session ends when its
 * refresh-token family is revoked (logout, reuse of a rotated refresh token); the revoking
 * statement NOTIFYs `SESSION_ENDED_CHANNEL`, so each process forgets what it cached about the
 * session as soon as the revocation commits, and the session's access tokens are refused on the
 * next request in every process. While the process is not listening, every check asks the
 * database (core/db/notified-cache.ts).
 */
export interface SessionRegistry {
  isActive(sessionId: string): Promise<boolean>;
  /**
   * Forgets what this process knows about sessions it just ended itself, so its own next request
   * cannot be answered before the NOTIFY of the commit has come back.
   */
  ended(sessionIds: readonly string[]): void;
}

/** Bounded: a session is re-checked against the database at least every few minutes. */
const CACHE = { maxEntries: 50_000, maxAgeMs: 5 * 60_000 };

export function createSessionRegistry(pool: DatabasePool, notifications: Notifications): SessionRegistry {
  const cache = createNotifiedCache<boolean>(notifications, SESSION_ENDED_CHANNEL, CACHE);
  return {
    isActive: (sessionId) => cache.get(sessionId, (id) => isSessionActive(pool, id)),
    ended: (sessionIds) => {
      for (const id of sessionIds) cache.forget(id);
    },
  };
}
