import type { DatabasePool } from "slonik";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Caller } from "./caller.ts";
import { SCOPES } from "./caller.ts";
import { findUsableApiKey, touchApiKey } from "./queries-api-keys.ts";
import type { SessionRegistry } from "./sessions.ts";
import { API_KEY_PREFIX, hashSecret, looksLikeApiKey, verifyAccessToken } from "./tokens.ts";

/** The credentials a request may carry; the transport hands them over raw. */
export interface Credentials {
  /** The whole Authorization header, e.g. "Bearer eyJ…" or "Bearer ace_…". */
  authorization?: string | null;
  /** The X-API-Key header. */
  apiKey?: string | null;
}

const unauthenticated = (message: string, reason: string) =>
  new AppError("unauthenticated", message, { details: { reason } });

const LAST_USED_PRECISION_MS = 60_000;

/**
 * The caller behind an API key (`ace_…`), with the key's scopes. Revoked and expired keys fail
 * at once (checked in the query, no cache). `last_used_at` is refreshed at most once a minute,
 * in the background; a failure there is logged, never surfaced. Throws `unauthenticated`.
 */
export async function resolveApiKey(
  pool: DatabasePool,
  rawKey: string,
  options: { logger?: Logger; now?: Date } = {},
): Promise<Caller> {
  const now = options.now ?? new Date();
  const invalid = unauthenticated("This API key is not valid, or it was revoked or has expired.", "api_key");
  if (!looksLikeApiKey(rawKey)) throw invalid;
  const row = await findUsableApiKey(pool, hashSecret(rawKey), now);
  if (!row) throw invalid;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_PRECISION_MS) {
    touchApiKey(pool, row.id).catch((error: unknown) =>
      options.logger?.warn("api key last_used_at update failed", { api_key_id: row.id, error }),
    );
  }
  const scopes = SCOPES.filter((s) => row.scopes.includes(s));
  return { userId: row.user_id, scopes, via: "api_key", apiKeyId: row.id };
}

/** How access tokens are checked: the signing key, the longest life a token may claim, live sessions. */
export interface AccessTokenPolicy {
  jwtSecret: string;
  maxLifetimeSeconds: number;
  sessions: SessionRegistry;
}

/**
 * The caller behind a JWT access token: a signed-in user holds every scope. Throws
 * `unauthenticated` when the token is invalid, expired, or its session has ended (signed out, or
 * closed after a refresh token was reused).
 */
export async function resolveAccessToken(
  policy: AccessTokenPolicy,
  token: string,
  now = new Date(),
): Promise<Caller> {
  const check = await verifyAccessToken(policy.jwtSecret, token, {
    maxLifetimeSeconds: policy.maxLifetimeSeconds,
    now,
  });
  if (!check.ok) {
    throw check.reason === "expired"
      ? unauthenticated("The access token has expired. Refresh the session or sign in again.", "expired")
      : unauthenticated("The access token is not valid.", "invalid_token");
  }
  if (!(await policy.sessions.isActive(check.claims.sid))) {
    throw unauthenticated(
      "This session has ended (signed out, or closed for safety). Sign in again.",
      "session_ended",
    );
  }
  return {
    userId: check.claims.sub,
    scopes: SCOPES,
    via: "jwt",
    apiKeyId: null,
    sessionId: check.claims.sid,
  };
}

/**
 * Resolves the request's caller from `Authorization: Bearer <jwt | ace_ key>` or `X-API-Key`.
 * Throws `unauthenticated` when credentials are missing, malformed, invalid, expired or revoked.
 * Scope checks are the caller's job (`requireScope`).
 */
export async function resolveCaller(
  pool: DatabasePool,
  accessTokens: AccessTokenPolicy,
  credentials: Credentials,
  options: { logger?: Logger; now?: Date } = {},
): Promise<Caller> {
  const apiKey = credentials.apiKey?.trim();
  // Repeated headers arrive joined with ", " (keys never contain a comma).
  if (apiKey?.includes(",")) throw unauthenticated("Send exactly one X-API-Key header.", "api_key");
  const header = credentials.authorization?.trim();
  // Two different credentials would make the caller ambiguous: refuse rather than pick one.
  if (apiKey && header && header !== `Bearer ${apiKey}`) {
    throw unauthenticated(
      "Send one credential: Authorization or X-API-Key, not two different ones.",
      "ambiguous_credentials",
    );
  }
  if (apiKey) return resolveApiKey(pool, apiKey, options);
  if (!header) {
    throw unauthenticated(
      "Authentication required: send Authorization: Bearer <access token or API key>, or X-API-Key.",
      "missing",
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must look like "Bearer <token>".', "malformed");
  const token = match[1]!;
  if (token.startsWith(API_KEY_PREFIX)) return resolveApiKey(pool, token, options);
  return resolveAccessToken(accessTokens, token, options.now);
}
