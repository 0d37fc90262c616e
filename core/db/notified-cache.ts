import type { Notifications, Subscription } from "./notifications.ts";

/**
 * A per-process cache of database facts that change only with a NOTIFY on `channel` whose payload
 * is the cache key (a session revoked, an API key revoked …). Fail-safe by construction:
 * - while the channel is not live (not yet connected, or the connection was lost), every `get`
 *   asks the database, so nothing that changed meanwhile can be missed;
 * - entries from another connection generation are ignored (notifications may have been missed);
 * - a value loaded while any notification arrived is returned but not kept, so a load that raced
 *   a change cannot pin the old value;
 * - entries expire after `maxAgeMs` and the oldest go past `maxEntries`.
 * Subscribes on the first `get`, so a process that never asks never opens the connection.
 */
export interface NotifiedCache<V> {
  /** `keep` decides whether a loaded value may be cached (default: every value). */
  get(key: string, load: (key: string) => Promise<V>, keep?: (value: V) => boolean): Promise<V>;
  /** What a notification of `key` does, for a change this process made itself (no need to wait for it). */
  forget(key: string): void;
}

export function createNotifiedCache<V>(
  notifications: Notifications,
  channel: string,
  options: { maxEntries: number; maxAgeMs: number; now?: () => number },
): NotifiedCache<V> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: V; generation: number; at: number }>();
  let subscription: Subscription | undefined;
  let notified = 0;

  const fresh = (key: string, generation: number) => {
    const entry = entries.get(key);
    if (!entry || entry.generation !== generation || now() - entry.at > options.maxAgeMs) return undefined;
    entries.delete(key); // re-inserted: Map order is the eviction order
    entries.set(key, entry);
    return entry;
  };

  const forget = (key: string) => {
    notified++;
    entries.delete(key);
  };

  return {
    forget,
    async get(key, load, keep) {
      subscription ??= notifications.subscribe(channel, forget);
      const sub = subscription;
      if (!sub.live) return load(key);
      const generation = sub.generation;
      const hit = fresh(key, generation);
      if (hit) return hit.value;
      const before = notified;
      const value = await load(key);
      if (sub.live && sub.generation === generation && notified === before && (keep?.(value) ?? true)) {
        entries.set(key, { value, generation, at: now() });
        if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
      }
      return value;
    },
  };
}
