import type { DatabasePool } from "slonik";
import { recordAuditEvent } from "../audit/record.ts";
import { AppError } from "../errors.ts";
import type { ApiKeyRegistry } from "./api-key-cache.ts";
import type { Caller, Scope } from "./caller.ts";
import type { ApiKeyRow } from "./queries.ts";
import { insertApiKey, listApiKeys, renameApiKey, revokeApiKey } from "./queries-api-keys.ts";
import type { ApiKey, CreateApiKeyInput, CreatedApiKey } from "./schemas.ts";
import type { ClientInfo } from "./session.ts";
import { generateApiKey } from "./tokens.ts";

export const DEFAULT_KEY_SCOPES: readonly Scope[] = ["read", "write"];

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.key_prefix,
  scopes: row.scopes,
  created_at: row.created_at.toISOString(),
  last_used_at: row.last_used_at?.toISOString() ?? null,
  expires_at: row.expires_at?.toISOString() ?? null,
});

/**
 * Keys are managed from a signed-in session only: a leaked key must not be able to mint more keys
 * (with wider scopes) or revoke the owner's other keys. Throws `forbidden` for API-key callers.
 */
function requireSession(caller: Caller): void {
  if (caller.via !== "jwt") {
    throw new AppError("forbidden", "API keys are managed from a signed-in session, not with an API key.", {
      details: { required: "session" },
    });
  }
}

const notFound = (id: string) => new AppError("not_found", `No API key with id ${id}.`);

/** Where the request came from (for the audit trail) and the clock (tests). */
export interface KeyOptions {
  client?: ClientInfo;
  now?: Date;
}

/** What the audit trail keeps of a key: never the key, only what the key list shows anyway. */
const keyDetails = (row: ApiKeyRow) => ({ api_key_id: row.id, name: row.name, prefix: row.key_prefix });

/**
 * Creates a key for the caller; the full key is in the result and nowhere else, ever. Records
 * `api_key_created`. Throws `forbidden` for API-key callers.
 */
export async function createApiKey(
  pool: DatabasePool,
  caller: Caller,
  input: CreateApiKeyInput,
  { client, now = new Date() }: KeyOptions = {},
): Promise<CreatedApiKey> {
  requireSession(caller);
  const { key, hash, prefix } = generateApiKey();
  const scopes = [...new Set(input.scopes ?? DEFAULT_KEY_SCOPES)];
  const expiresAt = input.expires_in_days
    ? new Date(now.getTime() + input.expires_in_days * 86_400_000)
    : null;
  const row = await pool.transaction(async (tx) => {
    const inserted = await insertApiKey(tx, {
      userId: caller.userId,
      name: input.name,
      keyHash: hash,
      keyPrefix: prefix,
      scopes,
      expiresAt,
    });
    const details = { ...keyDetails(inserted), scopes, expires_at: expiresAt?.toISOString() ?? null };
    await recordAuditEvent(tx, { userId: caller.userId, type: "api_key_created", client, details, now });
    return inserted;
  });
  return { ...toApiKey(row), key };
}

/** The caller's working keys (never the key itself, only its prefix). Throws `forbidden` for API-key callers. */
export async function listUserApiKeys(
  pool: DatabasePool,
  caller: Caller,
  now = new Date(),
): Promise<ApiKey[]> {
  requireSession(caller);
  return (await listApiKeys(pool, caller.userId, now)).map(toApiKey);
}

/**
 * Revokes a key at once (the next request with it fails, in every process) and records `api_key_revoked`. Another
 * user's key, or a revoked one, is `not_found`.
 */
export async function revokeUserApiKey(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  { client, now = new Date(), keys }: KeyOptions & { keys?: ApiKeyRegistry } = {},
): Promise<void> {
  requireSession(caller);
  const hash = await pool.transaction(async (tx) => {
    const row = await revokeApiKey(tx, caller.userId, id, now);
    if (!row) throw notFound(id);
    const details = keyDetails(row);
    await recordAuditEvent(tx, { userId: caller.userId, type: "api_key_revoked", client, details, now });
    return row.key_hash;
  });
  // Other processes forget the key on the trigger's NOTIFY; this one at once.
  keys?.forget(hash);
}

/** Renames a working key and records `api_key_renamed`. Another user's key, or a revoked one, is `not_found`. */
export async function renameUserApiKey(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  name: string,
  { client, now = new Date() }: KeyOptions = {},
): Promise<ApiKey> {
  requireSession(caller);
  const row = await pool.transaction(async (tx) => {
    const renamed = await renameApiKey(tx, caller.userId, id, name, now);
    if (!renamed) throw notFound(id);
    const details = { ...keyDetails(renamed.key), previous_name: renamed.previousName };
    await recordAuditEvent(tx, { userId: caller.userId, type: "api_key_renamed", client, details, now });
    return renamed.key;
  });
  return toApiKey(row);
}
