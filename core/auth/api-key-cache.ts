import type { DatabasePool } from "slonik";
import type { Notifications } from "../db/notifications.ts";
import { createNotifiedCache } from "../db/notified-cache.ts";
import type { ApiKeyRow } from "./queries.ts";
import { API_KEY_CHANGED_CHANNEL, findUsableApiKey } from "./queries-api-keys.ts";

/**
 * Verified API keys, per process, by key hash: most requests carry a key, and looking it up was
 * a query per request. Safe because whatever changes what a key may do (revocation, expiry,
 * scopes, the user's deletion) NOTIFYs `API_KEY_CHANGED_CHANNEL` from a trigger in the same
 * transaction (sql/0007_hot_paths.sql), so every process forgets the key as that change commits;
 * while the process is not listening every check asks the database (core/db/notified-cache.ts).
 * Expiry is checked against the clock on every hit. Unknown keys are not cached (nothing to
 * forget when a key appears). `lastUsedAt` is the newest time this process knows the key was
 * used, so `last_used_at` is written at most once a minute per key.
 */
export interface ApiKeyRegistry {
  /** The working key with this hash at `now`, or null. */
  find(keyHash: string, now: Date): Promise<UsableKey | null>;
  /** For a change this process just committed: its own next request must not wait for the NOTIFY. */
  forget(keyHash: string): void;
}

export type UsableKey = Pick<ApiKeyRow, "id" | "user_id" | "scopes" | "expires_at"> & {
  lastUsedAt: Date | null;
};

/** Bounded: a key is re-read from the database at least every few minutes even without a notification. */
const CACHE = { maxEntries: 20_000, maxAgeMs: 5 * 60_000 };

export function createApiKeyRegistry(pool: DatabasePool, notifications: Notifications): ApiKeyRegistry {
  const cache = createNotifiedCache<UsableKey | null>(notifications, API_KEY_CHANGED_CHANNEL, CACHE);
  const load = async (hash: string, now: Date) => {
    const row = await findUsableApiKey(pool, hash, now);
    return row
      ? {
          id: row.id,
          user_id: row.user_id,
          scopes: row.scopes,
          expires_at: row.expires_at,
          lastUsedAt: row.last_used_at,
        }
      : null;
  };
  return {
    forget: (keyHash) => cache.forget(keyHash),
    async find(keyHash, now) {
      // A miss is not kept: nothing would announce a key that appears later.
      const key = await cache.get(
        keyHash,
        (hash) => load(hash, now),
        (found) => found !== null,
      );
      if (!key) return null;
      if (key.expires_at && key.expires_at.getTime() <= now.getTime()) return null;
      return key;
    },
  };
}
