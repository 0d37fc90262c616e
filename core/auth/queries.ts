import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import { SCOPES } from "./caller.ts";

/** Every SQL statement of accounts, sessions and API keys. Each takes the connection first. */

const ts = (d: Date) => sql.timestamp(d);

export const UserRow = z.object({
  id: z.string(),
  email: z.string(),
  display_name: z.string().nullable(),
  password_hash: z.string(),
  created_at: z.date(),
});
export type UserRow = z.infer<typeof UserRow>;

const userColumns = sql.fragment`id, email, display_name, password_hash, created_at`;

/** Inserts a user; null when the email is taken (the unique index decides, race-free). */
export const insertUser = (
  db: CommonQueryMethods,
  email: string,
  passwordHash: string,
  name: string | null,
) =>
  db.maybeOne(sql.type(UserRow)`
    insert into users (email, password_hash, display_name) values (${email}, ${passwordHash}, ${name})
    on conflict (email) do nothing
    returning ${userColumns}`);

export const findUserByEmail = (db: CommonQueryMethods, email: string) =>
  db.maybeOne(sql.type(UserRow)`select ${userColumns} from users where email = ${email}`);

export const findUserById = (db: CommonQueryMethods, id: string) =>
  db.maybeOne(sql.prepared("find_user_by_id", UserRow)`select ${userColumns} from users where id = ${id}`);

export const touchLastLogin = (db: CommonQueryMethods, id: string, now: Date) =>
  db.query(sql.unsafe`update users set last_login_at = ${ts(now)} where id = ${id}`);

export const RefreshTokenRow = z.object({
  id: z.string(),
  user_id: z.string(),
  family_id: z.string(),
  expires_at: z.date(),
  used_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
});
export type RefreshTokenRow = z.infer<typeof RefreshTokenRow>;

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export const insertRefreshToken = (db: CommonQueryMethods, t: NewRefreshToken) =>
  db.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into refresh_tokens (user_id, family_id, token_hash, expires_at, user_agent, ip_address)
    values (${t.userId}, ${t.familyId}, ${t.tokenHash}, ${ts(t.expiresAt)}, ${t.userAgent}, ${t.ip})
    returning id`);

/** Locks the token row so two concurrent refreshes of one token cannot both rotate it. */
export const findRefreshTokenForUpdate = (db: CommonQueryMethods, tokenHash: string) =>
  db.maybeOne(sql.type(RefreshTokenRow)`
    select id, user_id, family_id, expires_at, used_at, revoked_at
    from refresh_tokens where token_hash = ${tokenHash} for update`);

export const markRefreshTokenUsed = (db: CommonQueryMethods, id: string, replacedBy: string, now: Date) =>
  db.query(sql.unsafe`
    update refresh_tokens set used_at = ${ts(now)}, replaced_by_id = ${replacedBy} where id = ${id}`);

/**
 * Announced (in the revoking statement, so on its commit) to every process: the payload is the
 * session (family) id, and each process drops what it cached about that session.
 */
export const SESSION_ENDED_CHANNEL = "ace_session_ended";

const announceEnded = sql.fragment`
  select family_id::text as id, user_id::text as user_id,
    pg_notify(${SESSION_ENDED_CHANNEL}, family_id::text)::text as announced
  from (select distinct family_id, user_id from revoked) f`;

const Ended = z.object({ id: z.string(), user_id: z.string(), announced: z.string().nullable() });

/** Ends the session (every token of the family) and announces it, in one statement; returns it if it ran. */
export const revokeRefreshFamily = (db: CommonQueryMethods, familyId: string, now: Date) =>
  db.any(sql.type(Ended)`
    with revoked as (
      update refresh_tokens set revoked_at = ${ts(now)}
      where family_id = ${familyId} and revoked_at is null returning family_id, user_id)
    ${announceEnded}`);

/** Ends every session of the user (every family with a live token) and announces each, in one statement. */
export const revokeUserFamilies = (db: CommonQueryMethods, userId: string, now: Date) =>
  db.any(sql.type(Ended)`
    with revoked as (
      update refresh_tokens set revoked_at = ${ts(now)}
      where user_id = ${userId} and revoked_at is null returning family_id, user_id)
    ${announceEnded}`);

/**
 * Ends the session the refresh token belongs to and announces it, in one statement; returns the
 * ended session with its owner, or nothing when nothing was left to revoke.
 */
export const revokeFamilyOfToken = (db: CommonQueryMethods, tokenHash: string, now: Date) =>
  db.any(sql.type(Ended)`
    with revoked as (
      update refresh_tokens set revoked_at = ${ts(now)}
      where revoked_at is null
        and family_id = (select family_id from refresh_tokens where token_hash = ${tokenHash})
      returning family_id, user_id)
    ${announceEnded}`);

/**
 * Whether a session still runs: some token of its family is not revoked. A family whose tokens
 * were revoked, or deleted with their user, has ended.
 */
export const isSessionActive = (db: CommonQueryMethods, familyId: string) =>
  db.oneFirst(sql.type(z.object({ active: z.boolean() }))`
    select exists (
      select 1 from refresh_tokens where family_id = ${familyId} and revoked_at is null) as active`);

/** Deletes up to `batch` refresh tokens a day past expiry (run hourly); returns how many went. */
export const pruneExpiredRefreshTokens = (db: CommonQueryMethods, now: Date, batch: number) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    with gone as (
      delete from refresh_tokens where id in (
        select id from refresh_tokens where expires_at < ${now.toISOString()}::timestamptz - interval '1 day'
        limit ${batch} for update skip locked)
      returning 1)
    select count(*) as n from gone`);

export const ApiKeyRow = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  key_prefix: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  created_at: z.date(),
  last_used_at: z.date().nullable(),
  expires_at: z.date().nullable(),
});
export type ApiKeyRow = z.infer<typeof ApiKeyRow>;

const keyColumns = sql.fragment`id, user_id, name, key_prefix, scopes, created_at, last_used_at, expires_at`;

export { keyColumns as apiKeyColumns };
