import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import type { Scope } from "./caller.ts";
import { ApiKeyRow, apiKeyColumns } from "./queries.ts";

/** The API-key statements (split from queries.ts only for size). Each takes the connection first. */

const ts = (d: Date) => sql.timestamp(d);
const usable = (now: Date) =>
  sql.fragment`revoked_at is null and (expires_at is null or expires_at > ${ts(now)})`;

export interface NewApiKey {
  userId: string;
  name: string;
  keyHash: string;
  keyPrefix: string;
  scopes: readonly Scope[];
  expiresAt: Date | null;
}

export const insertApiKey = (db: CommonQueryMethods, k: NewApiKey) =>
  db.one(sql.type(ApiKeyRow)`
    insert into api_keys (user_id, name, key_hash, key_prefix, scopes, expires_at)
    values (${k.userId}, ${k.name}, ${k.keyHash}, ${k.keyPrefix}, ${sql.jsonb([...k.scopes])},
      ${k.expiresAt ? ts(k.expiresAt) : null})
    returning ${apiKeyColumns}`);

/** The user's keys that still work, newest first. */
export const listApiKeys = (db: CommonQueryMethods, userId: string, now: Date) =>
  db.any(sql.type(ApiKeyRow)`
    select ${apiKeyColumns} from api_keys
    where user_id = ${userId} and ${usable(now)}
    order by created_at desc, id`);

/** Revokes one of the user's keys (with its hash, for the key cache); null when it is not theirs or already revoked. */
export const revokeApiKey = (db: CommonQueryMethods, userId: string, id: string, now: Date) =>
  db.maybeOne(sql.type(ApiKeyRow.extend({ key_hash: z.string() }))`
    update api_keys set revoked_at = ${ts(now)}
    where id = ${id} and user_id = ${userId} and revoked_at is null
    returning ${apiKeyColumns}, key_hash`);

/** Renames one of the user's working keys; null when it is not theirs, revoked or expired. */
export const renameApiKey = async (
  db: CommonQueryMethods,
  userId: string,
  id: string,
  name: string,
  now: Date,
) => {
  const row = await db.maybeOne(sql.type(ApiKeyRow.extend({ previous_name: z.string() }))`
    with old as (
      select id, name from api_keys where id = ${id} and user_id = ${userId} and ${usable(now)} for update)
    update api_keys k set name = ${name} from old where k.id = old.id
    returning k.id, k.user_id, k.name, k.key_prefix, k.scopes, k.created_at, k.last_used_at, k.expires_at,
      old.name as previous_name`);
  if (!row) return null;
  const { previous_name, ...key } = row;
  return { key, previousName: previous_name };
};

/** Announced by a trigger (sql/0007_hot_paths.sql) with the key's hash when what a key may do changes. */
export const API_KEY_CHANGED_CHANNEL = "ace_api_key_changed";

/** The working key with this hash (revoked and expired keys are not found). */
export const findUsableApiKey = (db: CommonQueryMethods, keyHash: string, now: Date) =>
  db.maybeOne(sql.type(ApiKeyRow)`
    select ${apiKeyColumns} from api_keys where key_hash = ${keyHash} and ${usable(now)}`);

/** At most one write per key per minute, however many requests use it (the WHERE decides). */
export const touchApiKey = (db: CommonQueryMethods, id: string) =>
  db.query(sql.unsafe`
    update api_keys set last_used_at = now()
    where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
