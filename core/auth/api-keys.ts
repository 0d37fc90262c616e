import type { DatabasePool } from "slonik";
import { AppError } from "../errors.ts";
import type { Caller, Scope } from "./caller.ts";
import type { ApiKeyRow } from "./queries.ts";
import { insertApiKey, listApiKeys, renameApiKey, revokeApiKey } from "./queries-api-keys.ts";
import type { ApiKey, CreateApiKeyInput, CreatedApiKey } from "./schemas.ts";
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

/** Creates a key for the caller; the full key is in the result and nowhere else, ever. Throws `forbidden` for API-key callers. */
export async function createApiKey(
  pool: DatabasePool,
  caller: Caller,
  input: CreateApiKeyInput,
  now = new Date(),
): Promise<CreatedApiKey> {
  requireSession(caller);
  const { key, hash, prefix } = generateApiKey();
  const scopes = [...new Set(input.scopes ?? DEFAULT_KEY_SCOPES)];
  const expiresAt = input.expires_in_days
    ? new Date(now.getTime() + input.expires_in_days * 86_400_000)
    : null;
  const row = await insertApiKey(pool, {
    userId: caller.userId,
    name: input.name,
    keyHash: hash,
    keyPrefix: prefix,
    scopes,
    expiresAt,
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

/** Revokes a key at once (the next request with it fails). Another user's key, or a revoked one, is `not_found`. */
export async function revokeUserApiKey(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  now = new Date(),
): Promise<void> {
  requireSession(caller);
  if (!(await revokeApiKey(pool, caller.userId, id, now))) throw notFound(id);
}

/** Renames a working key. Another user's key, or a revoked one, is `not_found`. */
export async function renameUserApiKey(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  name: string,
  now = new Date(),
): Promise<ApiKey> {
  requireSession(caller);
  const row = await renameApiKey(pool, caller.userId, id, name, now);
  if (!row) throw notFound(id);
  return toApiKey(row);
}
