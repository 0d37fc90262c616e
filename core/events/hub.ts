import { SESSION_ENDED_CHANNEL } from "../auth/queries.ts";
import type { Notifications, Subscription } from "../db/notifications.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { LIVE_EVENTS_CHANNEL } from "./queries.ts";
import { LiveEvent, type StreamEndReason } from "./schemas.ts";
import type { StreamIdentity } from "./stream-token.ts";

/** What a transport's stream does with what the hub tells it. */
export interface LiveStreamHandlers {
  /** One of the user's own events. */
  event(event: LiveEvent): void;
  /** The process LISTENs (again): events from now on arrive; any before may have been missed. */
  ready(): void;
  /** The hub ends the stream (session ended, shutdown); the handle is already closed. */
  end(reason: StreamEndReason): void;
}

export interface LiveEventHub {
  /** Registers a stream of the user; returns its close function. Throws `rate_limited` past the per-user limit. */
  open(identity: StreamIdentity, handlers: LiveStreamHandlers): () => void;
  /** Ends every stream (server shutdown), so none holds the HTTP server open. */
  closeAll(reason?: StreamEndReason): void;
  /** Open streams in this process. */
  size(): number;
}

interface Entry {
  identity: StreamIdentity;
  handlers: LiveStreamHandlers;
}

/**
 * The process's live events: ONE subscription to the events channel (and one to the
 * session-ended channel) on the process's LISTEN connection, fanned out to the open streams of
 * the user each event belongs to, and to nobody else. A stream whose session ends is ended.
 */
export function createLiveEventHub(
  notifications: Notifications,
  options: { streamsPerUser: number; logger: Logger },
): LiveEventHub {
  const byUser = new Map<string, Set<Entry>>();
  let events: Subscription | undefined;

  const each = (fn: (entry: Entry) => void) => {
    for (const entries of [...byUser.values()]) for (const entry of [...entries]) fn(entry);
  };
  const remove = (entry: Entry) => {
    const entries = byUser.get(entry.identity.userId);
    if (!entries?.delete(entry)) return false;
    if (entries.size === 0) byUser.delete(entry.identity.userId);
    return true;
  };
  const end = (entry: Entry, reason: StreamEndReason) => {
    if (remove(entry)) entry.handlers.end(reason);
  };

  const onEvent = (payload: string) => {
    const space = payload.indexOf(" ");
    const entries = byUser.get(payload.slice(0, space));
    if (!entries || space < 0) return;
    let parsed: ReturnType<typeof LiveEvent.safeParse>;
    try {
      parsed = LiveEvent.safeParse(JSON.parse(payload.slice(space + 1)));
    } catch {
      parsed = { success: false } as never;
    }
    if (!parsed.success) {
      options.logger.warn("live event with an unexpected payload dropped", { channel: LIVE_EVENTS_CHANNEL });
      return;
    }
    for (const entry of [...entries]) entry.handlers.event(parsed.data);
  };
  const subscribe = () => {
    events = notifications.subscribe(LIVE_EVENTS_CHANNEL, onEvent, {
      onLive: () => each((entry) => entry.handlers.ready()),
    });
    notifications.subscribe(SESSION_ENDED_CHANNEL, (sessionId) =>
      each((entry) => entry.identity.sessionId === sessionId && end(entry, "session_ended")),
    );
  };

  return {
    open(identity, handlers) {
      const entries = byUser.get(identity.userId) ?? new Set<Entry>();
      if (entries.size >= options.streamsPerUser) {
        throw new AppError(
          "rate_limited",
          `At most ${options.streamsPerUser} live event streams may be open per user; close one (another tab) first.`,
          { retryAfterSeconds: 5, details: { limit: options.streamsPerUser } },
        );
      }
      const entry: Entry = { identity, handlers };
      entries.add(entry);
      byUser.set(identity.userId, entries);
      if (!events)
        subscribe(); // its onLive tells every stream once the LISTEN is in place
      else if (events.live) queueMicrotask(() => byUser.get(identity.userId)?.has(entry) && handlers.ready());
      return () => {
        remove(entry);
      };
    },
    closeAll(reason = "shutdown") {
      each((entry) => end(entry, reason));
    },
    size: () => [...byUser.values()].reduce((n, entries) => n + entries.size, 0),
  };
}
