/**
 * Live updates for the pages: one EventSource per tab to `GET /v1/events?token=…` (the token
 * from `POST /v1/events/tokens`: EventSource cannot send an Authorization header). Pages
 * subscribe with a callback; the stream opens with the first subscriber, reconnects with a fresh
 * token after an error or the server's `end`, and closes with the last subscriber.
 *
 * Besides `evolution`, `version` and `outcome`, listeners get the server's `ready`: sent when it
 * starts listening (again, after a reconnect): events may have been missed, reload what is shown.
 */
import { api, unwrap } from "./api/client.ts";
import { session } from "./api/session.svelte.ts";

export type LiveEvent = {
  type: "ready" | "evolution" | "version" | "outcome";
  data: Record<string, unknown>;
};
type Listener = (event: LiveEvent) => void;

const EVENT_TYPES = ["ready", "evolution", "version", "outcome"] as const;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
let opening = false;
let retry: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

function emit(event: LiveEvent) {
  for (const listener of listeners) listener(event);
}

async function open() {
  if (source || opening || listeners.size === 0 || !session.accessToken) return;
  opening = true;
  let token: string;
  try {
    ({ token } = await unwrap(api.POST("/v1/events/tokens")));
  } catch {
    return schedule();
  } finally {
    opening = false;
  }
  if (listeners.size === 0 || source) return;
  const stream = new EventSource(`/v1/events?token=${encodeURIComponent(token)}`);
  source = stream;
  for (const type of EVENT_TYPES) {
    stream.addEventListener(type, (message) => {
      if (type === "ready") failures = 0;
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
    drop(stream);
    if (reason !== "session_ended") void open();
  });
  // The token is single-use and short-lived, so EventSource's own retry cannot work: close it
  // and reconnect with a new token, backing off while the server keeps failing.
  stream.onerror = () => {
    drop(stream);
    schedule();
  };
}

function drop(stream: EventSource) {
  stream.close();
  if (source === stream) source = null;
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
}

/** Calls `listener` for every live event of the signed-in user; returns the unsubscribe. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  void open();
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
