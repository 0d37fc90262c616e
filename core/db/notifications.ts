import pg from "pg";
import type { Logger } from "../logger.ts";

/**
 * Postgres LISTEN/NOTIFY for one process: ONE dedicated connection (opened on the first
 * subscription, so a process that never subscribes never opens it) that LISTENs on every channel
 * subscribed to. Publishing is plain SQL, `pg_notify(channel, payload)`, best inside the
 * transaction whose commit it announces: Postgres delivers it on commit, and never on rollback.
 *
 * A notification can only be missed while the connection is down, so each subscription says
 * whether it is `live` (connected and LISTENing) and carries a `generation` that changes on every
 * loss and every reconnect. A cache built on notifications (see notified-cache.ts) trusts its
 * entries only while live and only those of the current generation; otherwise it asks the
 * database. The connection is re-opened with backoff after a loss, and a periodic ping finds a
 * connection that died silently.
 */

export interface Subscription {
  /** True while this process receives the channel's notifications. */
  readonly live: boolean;
  /** Changes whenever notifications may have been missed (connection lost or re-established). */
  readonly generation: number;
  unsubscribe(): void;
}

export interface Notifications {
  /**
   * Calls `onMessage(payload)` for each NOTIFY on `channel` (a lower-case SQL identifier), and
   * `onLive()` each time the channel becomes live: after the first LISTEN and after every
   * re-LISTEN following a loss (notifications may have been missed before it), or at once (in a
   * microtask) when it already is.
   */
  subscribe(
    channel: string,
    onMessage: (payload: string) => void,
    options?: { onLive?: () => void },
  ): Subscription;
  close(): Promise<void>;
}

export interface NotificationOptions {
  /** The database to listen on; without one, subscriptions are never live (callers use the database). */
  url?: string;
  logger: Logger;
  /** Reconnect delay: doubles from `min` to `max` after each failed attempt. */
  reconnectMs?: { min: number; max: number };
  /** How often the connection is pinged; a ping unanswered for this long counts as a loss. */
  pingMs?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** How the listening connection shows in `pg_stat_activity`. */
export const NOTIFICATIONS_APPLICATION_NAME = "ace-notifications";

export function createNotifications(options: NotificationOptions): Notifications {
  const { url, logger } = options;
  const backoff = options.reconnectMs ?? { min: 100, max: 5_000 };
  const pingMs = options.pingMs ?? 10_000;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const liveHandlers = new Map<string, Set<() => void>>();
  const listening = new Set<string>();
  let client: pg.Client | null = null;
  let generation = 0;
  let started = false;
  let closed = false;
  let delay = backoff.min;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const dispatch = (message: pg.Notification) => {
    for (const handler of handlers.get(message.channel) ?? []) {
      try {
        handler(message.payload ?? "");
      } catch (error) {
        logger.error("notification handler failed", { channel: message.channel, error });
      }
    }
  };

  const lost = (current: pg.Client, reason: unknown) => {
    if (client !== current) return;
    client = null;
    listening.clear();
    generation++;
    clearInterval(ping);
    current.end().catch(() => {});
    if (closed) return;
    logger.warn("notification listener lost its connection; reconnecting", {
      error: (reason as Error)?.message ?? String(reason),
    });
    retry = setTimeout(connect, delay);
    retry.unref?.();
    delay = Math.min(delay * 2, backoff.max);
  };

  const announceLive = (channel: string) => {
    for (const onLive of liveHandlers.get(channel) ?? []) {
      try {
        onLive();
      } catch (error) {
        logger.error("notification onLive handler failed", { channel, error });
      }
    }
  };

  const listen = async (current: pg.Client, channel: string) => {
    await current.query(`listen ${channel}`);
    if (client === current) {
      listening.add(channel);
      announceLive(channel);
    }
  };

  async function connect(): Promise<void> {
    if (closed || !url) return;
    const next = new pg.Client({
      connectionString: url,
      keepAlive: true,
      query_timeout: pingMs,
      application_name: NOTIFICATIONS_APPLICATION_NAME,
    });
    next.on("error", (error) => lost(next, error));
    next.on("end", () => lost(next, "connection ended"));
    next.on("notification", dispatch);
    client = next;
    try {
      await next.connect();
      for (const channel of handlers.keys()) await listen(next, channel);
    } catch (error) {
      lost(next, error);
      return;
    }
    if (client !== next) return;
    generation++;
    delay = backoff.min;
    ping = setInterval(() => next.query("select 1").catch((error) => lost(next, error)), pingMs);
    ping.unref?.();
  }

  return {
    subscribe(channel, onMessage, options = {}) {
      if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel name: ${channel}`);
      const isNew = !handlers.has(channel);
      const set = handlers.get(channel) ?? new Set();
      set.add(onMessage);
      handlers.set(channel, set);
      const onLive = options.onLive;
      if (onLive) {
        const lives = liveHandlers.get(channel) ?? new Set();
        lives.add(onLive);
        liveHandlers.set(channel, lives);
        if (client !== null && listening.has(channel)) {
          queueMicrotask(() => {
            if (liveHandlers.get(channel)?.has(onLive)) onLive();
          });
        }
      }
      if (!started) {
        started = true;
        void connect();
      } else if (isNew && client) {
        const current = client;
        listen(current, channel).catch((error) => lost(current, error));
      }
      return {
        get live() {
          return client !== null && listening.has(channel);
        },
        get generation() {
          return generation;
        },
        unsubscribe: () => {
          set.delete(onMessage);
          if (onLive) liveHandlers.get(channel)?.delete(onLive);
        },
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      const current = client;
      client = null;
      listening.clear();
      await current?.end().catch(() => {});
    },
  };
}
