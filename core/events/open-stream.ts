import type { SessionRegistry } from "../auth/sessions.ts";
import { AppError } from "../errors.ts";
import type { LiveEventHub, LiveStreamHandlers } from "./hub.ts";
import { type StreamIdentity, verifyStreamToken } from "./stream-token.ts";

/**
 * Opens a live-event stream for the holder of a stream token: the caller's own events only, until
 * the session ends or the stream is closed. Returns its close function and whose it is. Throws `unauthenticated`
 * (forged, expired token; ended session), `rate_limited` (too many streams of this user).
 */
export async function openLiveStream(
  hub: LiveEventHub,
  sessions: SessionRegistry,
  secret: string,
  token: string,
  handlers: LiveStreamHandlers,
): Promise<{ close: () => void; identity: StreamIdentity }> {
  const identity = await verifyStreamToken(secret, token);
  if (!(await sessions.isActive(identity.sessionId))) {
    throw new AppError(
      "unauthenticated",
      "This session has ended (signed out, or closed for safety). Sign in again.",
      {
        details: { reason: "session_ended" },
      },
    );
  }
  return { close: hub.open(identity, handlers), identity };
}
