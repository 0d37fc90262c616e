import { type CommonQueryMethods, sql, type ValueExpression } from "slonik";
import { z } from "zod";

/** Every SQL statement of the evolution feature. Each takes the connection first. */

export const JobRow = z.object({
  id: z.string(),
  playbook_id: z.string(),
  user_id: z.string(),
  status: z.enum(["queued", "running", "completed", "failed"]),
  trigger: z.enum(["manual", "threshold", "schedule"]),
  attempts: z.number(),
  max_attempts: z.number(),
  outcomes_processed: z.number(),
  error_message: z.string().nullable(),
  result_summary: z.string().nullable(),
  refusals: z.record(z.string(), z.unknown()).nullable(),
  token_totals: z.record(z.string(), z.unknown()),
  from_version: z.number().nullable(),
  to_version: z.number().nullable(),
  created_at: z.date(),
  started_at: z.date().nullable(),
  completed_at: z.date().nullable(),
});
export type JobRow = z.infer<typeof JobRow>;

const jobColumns = sql.fragment`
  j.id, j.playbook_id, j.user_id, j.status, j.trigger, j.attempts, j.max_attempts, j.outcomes_processed,
  j.error_message, j.result_summary, j.refusals, j.token_totals,
  (select version_number from playbook_versions where id = j.from_version_id) as from_version,
  (select version_number from playbook_versions where id = j.to_version_id) as to_version,
  j.created_at, j.started_at, j.completed_at`;

/** Inserts a queued job unless one is active (the partial unique index decides); null when one is. */
export const insertJob = (
  db: CommonQueryMethods,
  job: { playbookId: string; userId: string; trigger: string; maxAttempts: number },
) =>
  db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    insert into evolution_jobs (playbook_id, user_id, trigger, max_attempts)
    values (${job.playbookId}, ${job.userId}, ${job.trigger}, ${job.maxAttempts})
    on conflict (playbook_id) where status in ('queued', 'running') do nothing
    returning id`);

/** Puts the graphile-worker job in the same transaction as the row it runs. */
export const addWorkerJob = (
  db: CommonQueryMethods,
  payload: { job_id: string; playbook_id: string },
  maxAttempts: number,
) =>
  db.query(sql.unsafe`
    select graphile_worker.add_job(
      'evolve_playbook', ${sql.json(payload)},
      job_key => ${`evolve_playbook:${payload.playbook_id}`}::text,
      max_attempts => ${maxAttempts}::int)`);

export const findActiveJob = (db: CommonQueryMethods, playbookId: string) =>
  db.maybeOne(sql.prepared("find_active_job", JobRow)`
    select ${jobColumns} from evolution_jobs j
    where j.playbook_id = ${playbookId} and j.status in ('queued', 'running')`);

export const findJob = (db: CommonQueryMethods, jobId: string) =>
  db.maybeOne(sql.type(JobRow)`select ${jobColumns} from evolution_jobs j where j.id = ${jobId}`);

export const findOwnJob = (db: CommonQueryMethods, userId: string, jobId: string) =>
  db.maybeOne(sql.type(JobRow)`
    select ${jobColumns} from evolution_jobs j where j.id = ${jobId} and j.user_id = ${userId}`);

export const listJobs = (db: CommonQueryMethods, playbookId: string, limit: number, offset: number) =>
  db.any(sql.type(JobRow)`
    select ${jobColumns} from evolution_jobs j where j.playbook_id = ${playbookId}
    order by j.created_at desc, j.id limit ${limit} offset ${offset}`);

export const countJobs = (db: CommonQueryMethods, playbookId: string) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) as n from evolution_jobs where playbook_id = ${playbookId}`);

/**
 * A playbook's pending outcomes (reported, not yet processed by an evolution): the counter on its
 * row, kept exact by the statements that add and consume outcomes (sql/0007_hot_paths.sql).
 */
export const countPendingOutcomes = (db: CommonQueryMethods, playbookId: string) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select pending_outcomes as n from playbooks where id = ${playbookId}`);

/** How long automatic triggers pause after failed evolutions: doubling per failure, capped. */
export interface FailureBackoff {
  baseMinutes: number;
  capHours: number;
}

/**
 * True while the playbook's automatic evolutions are paused: its failures since the last
 * completed evolution are n > 0 and the latest is younger than base·2^(n−1) minutes (at most
 * the cap). Without it a playbook whose evolutions keep failing would spend a full evolution's
 * tokens on every new outcome.
 */
const inFailureBackoff = (playbookId: ValueExpression, now: Date, backoff: FailureBackoff) => sql.fragment`
  exists (
    select 1 from (
      select count(*) as failures, max(f.completed_at) as last_failed_at
      from evolution_jobs f
      where f.playbook_id = ${playbookId} and f.status = 'failed'
        and f.created_at > coalesce(
          (select max(c.created_at) from evolution_jobs c
           where c.playbook_id = ${playbookId} and c.status = 'completed'),
          '-infinity')
    ) s
    where s.failures > 0
      and s.last_failed_at > ${now.toISOString()}::timestamptz - least(
        make_interval(mins => (${backoff.baseMinutes} * power(2, least(s.failures - 1, 16)))::int),
        make_interval(hours => ${backoff.capHours})))`;

export const isInFailureBackoff = (
  db: CommonQueryMethods,
  playbookId: string,
  now: Date,
  backoff: FailureBackoff,
) =>
  db.oneFirst(sql.type(z.object({ paused: z.boolean() }))`
    select ${inFailureBackoff(playbookId, now, backoff)} as paused`);

/**
 * Active, non-starter playbooks with pending outcomes whose last evolution is older than the
 * threshold, none active and none in failure backoff.
 */
export const duePlaybooks = (db: CommonQueryMethods, now: Date, hours: number, backoff: FailureBackoff) =>
  db.any(sql.type(z.object({ id: z.string(), user_id: z.string() }))`
    select p.id, p.user_id from playbooks p
    where p.status = 'active' and p.user_id is not null
      and exists (select 1 from outcomes o where o.playbook_id = p.id and o.processed_at is null)
      and not exists (
        select 1 from evolution_jobs j where j.playbook_id = p.id and j.status in ('queued', 'running'))
      and not ${inFailureBackoff(sql.identifier(["p", "id"]), now, backoff)}
      and coalesce(
        p.last_evolved_at,
        (select min(o.created_at) from outcomes o where o.playbook_id = p.id and o.processed_at is null)
      ) <= ${now.toISOString()}::timestamptz - make_interval(hours => ${hours})
    order by p.id
    limit 500`);

/**
 * Active evolution rows whose queue entry can no longer run: it is gone, or graphile-worker gave
 * up on it (attempts used up, e.g. by a worker killed on the last attempt). Such a row would
 * block its playbook forever (one active job per playbook), so nothing is "stuck" for long.
 */
export const orphanedJobs = (db: CommonQueryMethods, now: Date, graceSeconds: number) =>
  db.any(sql.type(
    z.object({ id: z.string(), playbook_id: z.string(), attempts: z.number(), max_attempts: z.number() }),
  )`
    select j.id, j.playbook_id, j.attempts, j.max_attempts from evolution_jobs j
    where j.status in ('queued', 'running')
      and j.updated_at < ${now.toISOString()}::timestamptz - make_interval(secs => ${graceSeconds})
      and not exists (
        select 1 from graphile_worker._private_jobs g
        where g.payload->>'job_id' = j.id::text and (g.locked_at is not null or g.attempts < g.max_attempts))`);
