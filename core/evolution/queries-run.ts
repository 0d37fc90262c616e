import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import type { UsageEntry } from "../llm/index.ts";
import { JobRow } from "./queries.ts";
import type { TokenTotals } from "./schemas.ts";

/** SQL of the worker side of an evolution: claim, snapshot, commit, fail, record spend. */

const evolutionLockKey = (playbookId: string) =>
  sql.fragment`hashtextextended(${`evolve_playbook:${playbookId}`}, 0)`;

/**
 * Takes the playbook's session advisory lock (one evolution per playbook; Postgres releases it if
 * the process dies), waiting at most `timeout` (a Postgres interval, e.g. `10s`). False when it
 * stayed busy (or could not be taken). Must run on a dedicated connection, released with
 * `releaseEvolutionLock` on the same one.
 */
export async function acquireEvolutionLock(
  connection: CommonQueryMethods,
  playbookId: string,
  timeout: string,
): Promise<boolean> {
  await connection.query(sql.unsafe`select set_config('lock_timeout', ${timeout}, false)`);
  try {
    await connection.query(sql.unsafe`select pg_advisory_lock(${evolutionLockKey(playbookId)})`);
    return true;
  } catch {
    return false;
  } finally {
    await connection.query(sql.unsafe`reset lock_timeout`);
  }
}

export const releaseEvolutionLock = (connection: CommonQueryMethods, playbookId: string) =>
  connection.query(sql.unsafe`select pg_advisory_unlock(${evolutionLockKey(playbookId)})`);

/** Marks the job running (another attempt); null when it is already completed or failed. */
export const claimJob = (db: CommonQueryMethods, jobId: string) =>
  db.maybeOne(sql.type(JobRow.pick({ id: true, playbook_id: true, user_id: true, attempts: true }))`
    update evolution_jobs set status = 'running', started_at = coalesce(started_at, now()),
      attempts = attempts + 1, updated_at = now()
    where id = ${jobId} and status in ('queued', 'running')
    returning id, playbook_id, user_id, attempts`);

export const PlaybookState = z.object({
  status: z.enum(["active", "archived"]),
  current_version_id: z.string().nullable(),
  content: z.string(),
  token_budget: z.number().nullable(),
  id_floor: z.number(),
});

export const playbookState = (db: CommonQueryMethods, playbookId: string) =>
  db.maybeOne(sql.type(PlaybookState)`
    select p.status, p.current_version_id, coalesce(v.content, '') as content, p.token_budget,
      (select coalesce(max(max_bullet_number), 0) from playbook_versions where playbook_id = p.id) as id_floor
    from playbooks p left join playbook_versions v on v.id = p.current_version_id
    where p.id = ${playbookId}`);

const PendingOutcome = z.object({
  id: z.string(),
  task_description: z.string(),
  outcome: z.enum(["success", "failure", "partial"]),
  reasoning_trace: z.string().nullable(),
  notes: z.string().nullable(),
  bullets_used: z.array(z.string()),
});

/** The oldest unprocessed outcomes, at most `limit`: the batch this evolution handles. */
export const snapshotOutcomes = (db: CommonQueryMethods, playbookId: string, limit: number) =>
  db.any(sql.type(PendingOutcome)`
    select id, task_description, status as outcome, reasoning_trace, notes, bullets_used
    from outcomes where playbook_id = ${playbookId} and processed_at is null
    order by created_at, id limit ${limit}`);

const withoutNul = (value: unknown) =>
  JSON.parse(JSON.stringify(value), (_key, v) => (typeof v === "string" ? v.replaceAll("\u0000", "") : v));

/**
 * Marks exactly the snapshot processed by this job, storing each outcome's reflection. NUL
 * characters a model may emit are dropped: jsonb cannot store them.
 */
export const markProcessed = (
  db: CommonQueryMethods,
  jobId: string,
  reflections: Array<{ id: string; reflection: unknown }>,
) =>
  db.query(sql.unsafe`
    with done as (
      update outcomes o set processed_at = now(), evolution_job_id = ${jobId}, reflection_data = r.reflection
      from jsonb_to_recordset(${sql.jsonb(withoutNul(reflections))}) as r(id uuid, reflection jsonb)
      where o.id = r.id and o.processed_at is null
      returning o.playbook_id)
    -- the playbook's pending counter (sql/0007_hot_paths.sql), in the same statement
    update playbooks p set pending_outcomes = p.pending_outcomes - d.n
    from (select playbook_id, count(*)::int as n from done group by playbook_id) d
    where p.id = d.playbook_id`);

export const completeJob = (
  db: CommonQueryMethods,
  job: {
    id: string;
    outcomesProcessed: number;
    tokenTotals: Record<string, unknown>;
    aceCoreVersion: string;
    fromVersionId: string | null;
    toVersionId: string | null;
    summary: string;
    /** What the guards refused (bounded by the engine); null when nothing ran. */
    refusals: Record<string, unknown> | null;
  },
) =>
  db.query(sql.unsafe`
    update evolution_jobs set status = 'completed', completed_at = now(), updated_at = now(),
      outcomes_processed = ${job.outcomesProcessed}, token_totals = ${sql.jsonb(job.tokenTotals as never)},
      ace_core_version = ${job.aceCoreVersion}, from_version_id = ${job.fromVersionId},
      to_version_id = ${job.toVersionId}, result_summary = ${job.summary}, error_message = null,
      refusals = ${job.refusals === null ? null : sql.jsonb(job.refusals as never)}
    where id = ${job.id}`);

export const failJob = (
  db: CommonQueryMethods,
  jobId: string,
  message: string,
  tokenTotals: Record<string, unknown>,
) =>
  db.query(sql.unsafe`
    update evolution_jobs set status = 'failed', completed_at = now(), updated_at = now(),
      error_message = ${message}, token_totals = ${sql.jsonb(tokenTotals as never)}
    where id = ${jobId} and status in ('queued', 'running')`);

/** Between attempts: the job waits (queued) and shows why the last attempt failed. */
export const noteRetry = (db: CommonQueryMethods, jobId: string, message: string) =>
  db.query(sql.unsafe`
    update evolution_jobs set status = 'queued', updated_at = now(), error_message = ${message}
    where id = ${jobId} and status = 'running'`);

/** What the previous attempt wrote about its failure (see `noteRetry`), if anything. */
export const lastRetryNote = (db: CommonQueryMethods, jobId: string) =>
  db.maybeOneFirst(sql.type(z.object({ error_message: z.string().nullable() }))`
    select error_message from evolution_jobs where id = ${jobId}`);

export const touchLastEvolved = (db: CommonQueryMethods, playbookId: string) =>
  db.query(sql.unsafe`update playbooks set last_evolved_at = now() where id = ${playbookId}`);

/** One usage row per LLM call that cost tokens, attributed to the playbook's owner. */
export async function insertUsage(
  db: CommonQueryMethods,
  owner: { userId: string; playbookId: string; jobId: string },
  usage: readonly UsageEntry[],
): Promise<void> {
  if (usage.length === 0) return;
  const rows = usage.map((u) => ({
    operation: u.operation,
    model: u.model,
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.totalTokens,
    cost_usd: u.costUsd,
    estimated: u.estimated,
    provider_request_id: u.providerRequestId,
    correlation_id: u.correlationId,
  }));
  await db.query(sql.unsafe`
    insert into usage_records (user_id, playbook_id, evolution_job_id, operation, model, prompt_tokens,
      completion_tokens, total_tokens, cost_usd, estimated, provider_request_id, correlation_id)
    select ${owner.userId}, ${owner.playbookId}, ${owner.jobId}, r.operation, r.model, r.prompt_tokens,
      r.completion_tokens, r.total_tokens, r.cost_usd, r.estimated, r.provider_request_id, r.correlation_id
    from jsonb_to_recordset(${sql.jsonb(rows as never)}) as r(operation text, model text, prompt_tokens int,
      completion_tokens int, total_tokens int, cost_usd numeric, estimated boolean, provider_request_id text,
      correlation_id text)`);
}

/** Token and cost totals of every LLM call recorded for the job, across all its attempts. */
export const usageTotals = (db: CommonQueryMethods, jobId: string): Promise<TokenTotals> =>
  db.one(sql.type(
    z.object({
      calls: z.number(),
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      total_tokens: z.number(),
      cost_usd: z.string(),
    }),
  )`
    select count(*) as calls,
      coalesce(sum(prompt_tokens), 0)::int8 as prompt_tokens,
      coalesce(sum(completion_tokens), 0)::int8 as completion_tokens,
      coalesce(sum(total_tokens), 0)::int8 as total_tokens,
      coalesce(sum(cost_usd), 0)::numeric(12, 6)::text as cost_usd
    from usage_records where evolution_job_id = ${jobId}`);
