/**
 * Live updates for the pages: one EventSource per tab to `GET /v1/events?token=…` (the token
 * from `POST /v1/events/tokens`: EventSource cannot send an Authorization header). Pages
 * subscribe with a callback; the stream opens with the first subscriber, reconnects with a fresh
 * token after an error or the server's periodic end, and closes with the last subscriber.
 *
 * Besides the server's events, listeners get `{ type: "unavailable" }` when the server has no
 * events endpoint (404: the page then polls) and `{ type: "connected" }` on every (re)connect
 * (events may have been missed: reload what is shown).
 */
import { raw } from "./api/client.ts";
import { ApiError } from "./api/errors.ts";
import { session } from "./api/session.svelte.ts";

export type LiveEvent = { type: "evolution" | "version" | "outcome" | string; data: Record<string, unknown> };
type Listener = (event: LiveEvent) => void;

const EVENT_TYPES = ["evolution", "version", "outcome"];
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

/** What this tab knows about the stream (plain values; pages react to the events instead). */
export const live = { available: true, connected: false };

function emit(event: LiveEvent) {
  for (const listener of listeners) listener(event);
}

async function open() {
  if (source || listeners.size === 0 || !session.accessToken) return;
  let token: string;
  try {
    ({ token } = await raw<{ token: string }>("POST", "/v1/events/tokens"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      live.available = false; // an older server: the pages poll instead
      emit({ type: "unavailable", data: {} });
      return;
    }
    return schedule();
  }
  if (listeners.size === 0) return;
  const stream = new EventSource(`/v1/events?token=${encodeURIComponent(token)}`);
  source = stream;
  stream.onopen = () => {
    failures = 0;
    live.connected = true;
    live.available = true;
    emit({ type: "connected", data: {} });
  };
  for (const type of EVENT_TYPES) {
    stream.addEventListener(type, (message) => {
      try {
        emit({ type, data: JSON.parse((message as MessageEvent<string>).data) });
      } catch {
        // not JSON: ignore, the next event or the next load catches up
      }
    });
  }
  // The server ends a stream after a while (max_age, shutdown: reconnect now) or with the
  // session (session_ended: the next API call sends the person to sign in).
  stream.addEventListener("end", (message) => {
    let reason = "";
    try {
      reason = JSON.parse((message as MessageEvent<string>).data).reason;
    } catch {}
    stream.close();
    if (source === stream) source = null;
    live.connected = false;
    if (reason !== "session_ended") void open();
  });
  stream.onerror = () => {
    // The token is single-use and short-lived: reconnect ourselves with a new one.
    stream.close();
    if (source === stream) source = null;
    live.connected = false;
    schedule();
  };
}

function schedule() {
  clearTimeout(retry);
  const delay = Math.min(30_000, 1000 * 2 ** failures++);
  retry = setTimeout(open, delay);
}

function close() {
  clearTimeout(retry);
  source?.close();
  source = null;
  live.connected = false;
}

/** Calls `listener` for every live event of the signed-in user; returns the unsubscribe. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!live.available) queueMicrotask(() => listener({ type: "unavailable", data: {} }));
  else void open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) close();
  };
}

/** After sign-out: no stream may outlive the session. */
export function disconnect() {
  listeners.clear();
  close();
}
