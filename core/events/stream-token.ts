import { errors, jwtVerify, SignJWT } from "jose";
import type { Caller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { STREAM_TOKEN_SECONDS, type StreamToken } from "./schemas.ts";

/**
 * Stream tokens: EventSource cannot send an Authorization header, so a signed-in page exchanges
 * its access token for a one-minute token that goes in the stream's URL. HS256 with the JWT key,
 * but `typ: "stream"`: it is no access token (those require `typ: "access"`), and an access token
 * is no stream token. It carries the user and the session, so the stream ends with the session.
 */

const ALGORITHM = "HS256";
const key = (secret: string) => new TextEncoder().encode(secret);
const UUID = /^[0-9a-f-]{36}$/i;

export interface StreamIdentity {
  userId: string;
  sessionId: string;
}

/** A stream token for the caller's session. Throws `forbidden` for API keys (no session to follow). */
export async function issueStreamToken(
  secret: string,
  caller: Caller,
  now = new Date(),
): Promise<StreamToken> {
  if (caller.via !== "jwt" || !caller.sessionId) {
    throw new AppError(
      "forbidden",
      "Live events are for signed-in sessions: authenticate with an access token, not an API key.",
      { details: { required: "session" } },
    );
  }
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({ typ: "stream", sid: caller.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(caller.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + STREAM_TOKEN_SECONDS)
    .sign(key(secret));
  return {
    token,
    expires_at: new Date((iat + STREAM_TOKEN_SECONDS) * 1000).toISOString(),
    url: `/v1/events?token=${encodeURIComponent(token)}`,
  };
}

const refused = (message: string, reason: string) =>
  new AppError("unauthenticated", message, { details: { reason } });

/** The user and session of a stream token. Throws `unauthenticated` when forged, malformed or expired. */
export async function verifyStreamToken(
  secret: string,
  token: string,
  now = new Date(),
): Promise<StreamIdentity> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: [ALGORITHM],
      currentDate: now,
      requiredClaims: ["exp", "iat", "sub", "sid", "typ"],
      maxTokenAge: STREAM_TOKEN_SECONDS,
    });
    const { typ, sub, sid } = payload;
    if (
      typ !== "stream" ||
      typeof sub !== "string" ||
      !UUID.test(sub) ||
      typeof sid !== "string" ||
      !UUID.test(sid)
    ) {
      throw refused("This stream token is not valid. Get one from POST /v1/events/tokens.", "invalid_token");
    }
    return { userId: sub, sessionId: sid };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof errors.JWTExpired) {
      throw refused(
        "This stream token has expired (they last a minute). Get a new one from POST /v1/events/tokens.",
        "expired",
      );
    }
    throw refused("This stream token is not valid. Get one from POST /v1/events/tokens.", "invalid_token");
  }
}
