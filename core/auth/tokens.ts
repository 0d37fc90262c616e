import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * JWT access tokens (HS256 only) and the random secrets behind refresh tokens and API keys.
 * Signing is done here with node:crypto rather than @elysiajs/jwt so verification lives in core:
 * the REST plugin and the MCP endpoint call the same `verifyAccessToken`, with no Elysia context.
 * The algorithm is fixed, never read from the token header, so "alg: none" and key-confusion
 * tricks cannot apply.
 */

export interface AccessClaims {
  /** The user id. */
  sub: string;
  iat: number;
  exp: number;
  typ: "access";
}

const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString("base64url");
}

function signature(secret: string, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/** A signed access token for `userId`, valid `ttlSeconds` from `now`. */
export function signAccessToken(
  secret: string,
  userId: string,
  ttlSeconds: number,
  now = new Date(),
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessClaims = { sub: userId, iat, exp: iat + ttlSeconds, typ: "access" };
  const data = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${data}.${signature(secret, data).toString("base64url")}`;
}

export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; reason: "invalid" | "expired" };

/**
 * Checks an access token's signature, type and expiry. Never throws: the caller decides the
 * error, so REST and MCP can word it for their clients.
 */
export function verifyAccessToken(secret: string, token: string, now = new Date()): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: "invalid" };
  const given = Buffer.from(parts[2]!, "base64url");
  const expected = signature(secret, `${parts[0]}.${parts[1]}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "invalid" };
  let claims: Partial<AccessClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (claims.typ !== "access" || typeof claims.sub !== "string" || typeof claims.exp !== "number") {
    return { ok: false, reason: "invalid" };
  }
  if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, claims: claims as AccessClaims };
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
