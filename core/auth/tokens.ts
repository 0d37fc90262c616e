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
  iat: number;
  exp: number;
  typ: "access";
}

const ALGORITHM = "HS256";
const key = (secret: string) => new TextEncoder().encode(secret);

/** A signed access token for `userId`, valid `ttlSeconds` from `now`. */
export function signAccessToken(
  secret: string,
  userId: string,
  ttlSeconds: number,
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ typ: "access" })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key(secret));
}

export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: "invalid" | "expired" };

/**
 * Checks an access token's signature, type and expiry. Never throws: the caller decides the
 * error, so REST and MCP can word it for their clients.
 */
export async function verifyAccessToken(
  secret: string,
  token: string,
  now = new Date(),
): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: [ALGORITHM], currentDate: now });
    if (payload.typ !== "access" || typeof payload.sub !== "string") return { ok: false, reason: "invalid" };
    return { ok: true, claims: payload as unknown as AccessClaims };
  } catch (error) {
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
