import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import { listBullets, maxBulletNumber, parsePlaybook } from "../ace/index.ts";

/** Every SQL statement of the playbooks feature. Each takes the connection first (pool or transaction). */

export const PlaybookRow = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  name: z.string(),
  description: z.string(),
  status: z.enum(["active", "archived"]),
  source: z.enum(["starter", "user_created", "imported"]),
  cloned_from_id: z.string().nullable(),
  current_version_id: z.string().nullable(),
  version_number: z.number().nullable(),
  bullet_count: z.number().nullable(),
  outcome_count: z.number(),
  pending_outcomes: z.number(),
  created_at: z.date(),
  updated_at: z.date(),
  last_evolved_at: z.date().nullable(),
});
export type PlaybookRow = z.infer<typeof PlaybookRow>;

const playbookColumns = sql.fragment`
  p.id, p.user_id, p.name, p.description, p.status, p.source, p.cloned_from_id, p.current_version_id,
  v.version_number, v.bullet_count,
  p.outcome_count, p.pending_outcomes,
  p.created_at, p.updated_at, p.last_evolved_at`;

/** A playbook the user may read: their own, or a starter. */
export const findReadablePlaybook = (db: CommonQueryMethods, userId: string, id: string) =>
  db.maybeOne(sql.type(PlaybookRow)`
    select ${playbookColumns}
    from playbooks p left join playbook_versions v on v.id = p.current_version_id
    where p.id = ${id} and (p.user_id = ${userId} or p.source = 'starter')`);

export const PlaybookDetailRow = PlaybookRow.extend({
  active_id: z.string().nullable(),
  active_status: z.enum(["queued", "running", "completed", "failed"]).nullable(),
  active_created_at: z.date().nullable(),
  active_completed_at: z.date().nullable(),
  last_id: z.string().nullable(),
  last_status: z.enum(["queued", "running", "completed", "failed"]).nullable(),
  last_created_at: z.date().nullable(),
  last_completed_at: z.date().nullable(),
});
export type PlaybookDetailRow = z.infer<typeof PlaybookDetailRow>;

/**
 * What GET playbook shows but its content, in one statement: a playbook the user may read (their
 * own, or a starter), its current version's numbers, its counters, the active evolution (queued
 * or running) and the newest one.
 */
export const findReadablePlaybookDetail = (db: CommonQueryMethods, userId: string, id: string) =>
  db.maybeOne(sql.prepared("find_readable_playbook_detail", PlaybookDetailRow)`
    select ${playbookColumns},
      a.id as active_id, a.status as active_status, a.created_at as active_created_at,
      a.completed_at as active_completed_at,
      l.id as last_id, l.status as last_status, l.created_at as last_created_at,
      l.completed_at as last_completed_at
    from playbooks p
    left join playbook_versions v on v.id = p.current_version_id
    left join lateral (
      select id, status, created_at, completed_at from evolution_jobs
      where playbook_id = p.id and status in ('queued', 'running') limit 1) a on true
    left join lateral (
      select id, status, created_at, completed_at from evolution_jobs
      where playbook_id = p.id order by created_at desc limit 1) l on true
    where p.id = ${id} and (p.user_id = ${userId} or p.source = 'starter')`);

const PlaybookLock = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  source: z.enum(["starter", "user_created", "imported"]),
  status: z.enum(["active", "archived"]),
  current_version_id: z.string().nullable(),
});

/**
 * The one playbook row lock: held for the rest of the transaction, it serialises version
 * numbering, the evolution enqueue decision and an evolution's commit. `no key update` so
 * concurrent outcome inserts (whose foreign key takes a key-share lock) are not blocked.
 * With `readableBy`, only that user's own playbook or a starter matches (and is locked): another
 * user's playbook is never touched. Null when nothing matches.
 */
export const lockPlaybook = (db: CommonQueryMethods, id: string, readableBy: string | null = null) =>
  db.maybeOne(sql.type(PlaybookLock)`
    select id, user_id, source, status, current_version_id from playbooks
    where id = ${id} and (${readableBy}::uuid is null or user_id = ${readableBy} or source = 'starter')
    for no key update`);

/**
 * Creates the starter of `slug` or refreshes its name and description (a starter file's metadata
 * may change); returns its id. Safe from several processes at once.
 */
export const upsertStarter = (
  db: CommonQueryMethods,
  starter: { slug: string; name: string; description: string },
) =>
  db.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into playbooks (user_id, name, description, source, starter_slug)
    values (null, ${starter.name}, ${starter.description}, 'starter', ${starter.slug})
    on conflict (starter_slug) do update set name = excluded.name, description = excluded.description
    returning id`);

/** The content of one version. Versions never change, so callers may cache it by id. */
export const findVersionContent = (db: CommonQueryMethods, versionId: string) =>
  db.maybeOneFirst(sql.type(z.object({ content: z.string() }))`
    select content from playbook_versions where id = ${versionId}`);

export const listPlaybooks = (
  db: CommonQueryMethods,
  userId: string,
  options: { includeStarters: boolean; includeArchived: boolean; limit: number; offset: number },
) =>
  db.any(sql.type(PlaybookRow)`
    select ${playbookColumns}
    from playbooks p left join playbook_versions v on v.id = p.current_version_id
    where (p.user_id = ${userId} and (${options.includeArchived} or p.status = 'active'))
       or (${options.includeStarters} and p.source = 'starter' and p.status = 'active')
    order by (p.source = 'starter'), p.updated_at desc, p.id
    limit ${options.limit} offset ${options.offset}`);

export const countPlaybooks = (
  db: CommonQueryMethods,
  userId: string,
  includeStarters: boolean,
  includeArchived: boolean,
) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) as n from playbooks p
    where (p.user_id = ${userId} and (${includeArchived} or p.status = 'active'))
       or (${includeStarters} and p.source = 'starter' and p.status = 'active')`);

export const insertPlaybook = (
  db: CommonQueryMethods,
  row: {
    userId: string | null;
    name: string;
    description: string;
    source: "starter" | "user_created" | "imported";
    starterSlug?: string | null;
    clonedFromId?: string | null;
  },
) =>
  db.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into playbooks (user_id, name, description, source, starter_slug, cloned_from_id)
    values (${row.userId}, ${row.name}, ${row.description}, ${row.source}, ${row.starterSlug ?? null}, ${row.clonedFromId ?? null})
    returning id`);

export const updatePlaybook = (
  db: CommonQueryMethods,
  id: string,
  fields: { name?: string; description?: string; status?: "active" | "archived" },
) =>
  db.query(sql.unsafe`
    update playbooks set
      name = coalesce(${fields.name ?? null}, name),
      description = coalesce(${fields.description ?? null}, description),
      status = coalesce(${fields.status ?? null}::playbook_status, status),
      updated_at = now()
    where id = ${id}`);

export const VersionRow = z.object({
  id: z.string(),
  playbook_id: z.string(),
  version_number: z.number(),
  content: z.string(),
  bullet_count: z.number(),
  diff_summary: z.string().nullable(),
  change_log: z.array(z.record(z.string(), z.unknown())),
  origin: z.enum(["initial", "evolution", "manual", "restore", "starter_sync"]),
  created_by_job_id: z.string().nullable(),
  author: z.string().nullable(),
  created_at: z.date(),
});
export type VersionRow = z.infer<typeof VersionRow>;

/** The email of the user who wrote the version (null for evolutions and starter syncs). */
const author = sql.fragment`(select u.email from users u where u.id = created_by_user_id) as author`;

const versionColumns = sql.fragment`
  id, playbook_id, version_number, content, bullet_count, diff_summary, change_log, origin, created_by_job_id,
  ${author}, created_at`;

/** Appends the next version (caller holds the playbook lock) and makes it current. */
export async function appendVersion(
  db: CommonQueryMethods,
  v: {
    playbookId: string;
    content: string;
    bulletCount: number;
    tokenCount: number;
    diffSummary: string | null;
    changeLog: unknown[];
    origin: VersionRow["origin"];
    jobId?: string | null;
    userId?: string | null;
  },
): Promise<VersionRow> {
  const maxNumber = maxBulletNumber(listBullets(parsePlaybook(v.content)).map((b) => b.id));
  const version = await db.one(sql.type(VersionRow)`
    insert into playbook_versions
      (playbook_id, version_number, content, bullet_count, token_count, max_bullet_number, diff_summary, change_log,
       origin, created_by_job_id, created_by_user_id)
    values (
      ${v.playbookId},
      (select coalesce(max(version_number), 0) + 1 from playbook_versions where playbook_id = ${v.playbookId}),
      ${v.content}, ${v.bulletCount}, ${v.tokenCount}, ${maxNumber}, ${v.diffSummary}, ${sql.jsonb(v.changeLog as never)},
      ${v.origin}, ${v.jobId ?? null}, ${v.userId ?? null})
    returning ${versionColumns}`);
  await db.query(sql.unsafe`
    update playbooks set current_version_id = ${version.id}, updated_at = now() where id = ${v.playbookId}`);
  return version;
}

export const findVersion = (db: CommonQueryMethods, playbookId: string, versionNumber: number) =>
  db.maybeOne(sql.type(VersionRow)`
    select ${versionColumns} from playbook_versions
    where playbook_id = ${playbookId} and version_number = ${versionNumber}`);

export const findCurrentVersion = (db: CommonQueryMethods, playbookId: string) =>
  db.maybeOne(sql.type(VersionRow)`
    select ${versionColumns} from playbook_versions
    where id = (select current_version_id from playbooks where id = ${playbookId})`);

export const listVersions = (db: CommonQueryMethods, playbookId: string, limit: number, offset: number) =>
  db.any(sql.type(VersionRow.omit({ content: true, change_log: true }))`
    select id, playbook_id, version_number, bullet_count, diff_summary, origin, created_by_job_id, ${author},
      created_at
    from playbook_versions where playbook_id = ${playbookId}
    order by version_number desc limit ${limit} offset ${offset}`);

export const countVersions = (db: CommonQueryMethods, playbookId: string) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) as n from playbook_versions where playbook_id = ${playbookId}`);

/** The highest bullet number any version of the playbook ever had (the engine's idFloor). */
export const historicalMaxBulletNumber = (db: CommonQueryMethods, playbookId: string) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select coalesce(max(max_bullet_number), 0) as n from playbook_versions where playbook_id = ${playbookId}`);
