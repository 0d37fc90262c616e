import { createHash, randomBytes } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";

/**
 * JWT access tokens (HS256, via `jose`) and the random secrets behind refresh tokens and API keys.
 * Verification lives in core rather than in an Elysia plugin so the REST plugin and the MCP
 * endpoint call the same `verifyAccessToken`. Only HS256 is accepted, so "alg: none" and
 * key-confusion tricks cannot apply.
 */

export interface AccessClaims {
  /** The user id. */
  sub: string;
  /** The session (refresh-token family) the token belongs to: ending the session ends the token. */
  sid: string;
  iat: number;
  exp: number;
  typ: "access";
}

const ALGORITHM = "HS256";
const key = (secret: string) => new TextEncoder().encode(secret);
const REQUIRED_CLAIMS = ["exp", "iat", "sub", "typ", "sid"];
/** Clock skew tolerated between the processes that sign and verify (`iat` slightly ahead, `exp` just past). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** A signed access token for the user's session, valid `ttlSeconds` from `now`. */
export function signAccessToken(
  secret: string,
  subject: { userId: string; sessionId: string },
  ttlSeconds: number,
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ typ: "access", sid: subject.sessionId })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(subject.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key(secret));
}

export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: "invalid" | "expired" };

const isUuidLike = (value: unknown) => typeof value === "string" && /^[0-9a-f-]{36}$/i.test(value);

/**
 * Checks an access token's signature, claims and age. Every claim we issue is required (`exp`,
 * `iat`, `sub`, `typ: access`, `sid`), and a token may not claim a longer life than
 * `maxLifetimeSeconds` (the configured access-token lifetime): one signed with a leaked key or an
 * old, longer setting does not live on. Never throws: the caller decides the error, so REST and
 * MCP can word it for their clients.
 */
export async function verifyAccessToken(
  secret: string,
  token: string,
  options: { maxLifetimeSeconds: number; now?: Date },
): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: [ALGORITHM],
      currentDate: options.now,
      requiredClaims: REQUIRED_CLAIMS,
      maxTokenAge: options.maxLifetimeSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const { typ, sub, sid, exp, iat } = payload;
    const lifetime = (exp ?? 0) - (iat ?? 0);
    if (typ !== "access" || !isUuidLike(sub) || !isUuidLike(sid)) return { ok: false, reason: "invalid" };
    if (lifetime <= 0 || lifetime > options.maxLifetimeSeconds) return { ok: false, reason: "invalid" };
    return { ok: true, claims: payload as unknown as AccessClaims };
  } catch (error) {
    // Past `exp`, or issued longer ago than any token may live (`maxTokenAge`): both expired.
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

/** A high-entropy secret (refresh token, key body): 32 random bytes, base64url. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/**
 * SHA-256 of a high-entropy secret, hex. Right for random tokens and keys (a fast hash cannot be
 * brute-forced when the input has 256 bits); passwords use argon2id instead.
 */
export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export const API_KEY_PREFIX = "ace_";
const API_KEY_SHAPE = /^ace_[A-Za-z0-9_-]{43}$/;

/** A new API key and what is stored about it: its hash and a short prefix to recognise it by. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}${randomSecret(32)}`;
  return { key, hash: hashSecret(key), prefix: key.slice(0, 12) };
}

/** Cheap shape check so garbage never costs a database round-trip. */
export const looksLikeApiKey = (value: string): boolean => API_KEY_SHAPE.test(value);
