import { type DatabasePool, sql } from "slonik";
import { z } from "zod";
import type { AckedOutcome } from "./soak-mix.ts";

/**
 * What the soak verifies in the database afterwards (read-only queries, the bench's own pool):
 * every acknowledged outcome exactly once, consumed outcomes linked to a completed evolution,
 * and no evolution or queue job left behind.
 */

const OutcomeRow = z.object({
  id: z.string(),
  playbook_id: z.string(),
  idempotency_key: z.string().nullable(),
});
const JobCounts = z.object({ status: z.string(), n: z.number() });
const QueueRow = z.object({
  task_identifier: z.string(),
  n: z.number(),
  overdue: z.number(),
  locked: z.number(),
  locked_long: z.number(),
  exhausted: z.number(),
  with_error: z.number(),
});
const Count = z.object({ n: z.number() });

/** The server's worker slots (WORKER_CONCURRENCY, not set by the soak: its default). */
const WORKER_SLOTS = 4;

/**
 * Jobs that will not finish by themselves: locked for over 5 minutes (a dead worker's), out of
 * attempts, or overdue while the worker has a free slot. Overdue jobs while every slot is busy
 * are a backlog (reports outran what the LLM's latency lets 4 slots evolve), not stuck.
 */
function stuckJobs(queue: readonly z.infer<typeof QueueRow>[]): number {
  const busy = queue.reduce((sum, q) => sum + q.locked, 0);
  return queue.reduce(
    (sum, q) => sum + q.locked_long + q.exhausted + (busy < WORKER_SLOTS ? q.overdue : 0),
    0,
  );
}

export type EvolutionCounts = Record<"queued" | "running" | "completed" | "failed", number>;

export async function evolutionCounts(pool: DatabasePool, playbookIds: string[]): Promise<EvolutionCounts> {
  const rows = await pool.any(sql.type(JobCounts)`
    select status::text as status, count(*)::int as n from evolution_jobs
    where playbook_id = any(${sql.array(playbookIds, "uuid")}) group by 1`);
  const counts: EvolutionCounts = { queued: 0, running: 0, completed: 0, failed: 0 };
  for (const r of rows) counts[r.status as keyof EvolutionCounts] = r.n;
  return counts;
}

/** Playbooks with enough pending outcomes for an evolution but none queued or running. */
async function stalledPlaybooks(
  pool: DatabasePool,
  playbookIds: string[],
  threshold: number,
): Promise<number> {
  return pool.oneFirst(sql.type(Count)`
    select count(*)::int as n from (
      select o.playbook_id from outcomes o
      where o.playbook_id = any(${sql.array(playbookIds, "uuid")}) and o.processed_at is null
      group by o.playbook_id having count(*) >= ${threshold}
    ) p
    where not exists (
      select 1 from evolution_jobs j where j.playbook_id = p.playbook_id and j.status in ('queued', 'running'))`);
}

/** Waits until no evolution is queued or running and none is owed; false on timeout. */
export async function drainEvolutions(
  pool: DatabasePool,
  playbookIds: string[],
  threshold: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const c = await evolutionCounts(pool, playbookIds);
    if (c.queued === 0 && c.running === 0 && (await stalledPlaybooks(pool, playbookIds, threshold)) === 0) {
      return true;
    }
    await Bun.sleep(500);
  }
  return false;
}

export interface SoakChecks {
  acked: number;
  rows: number;
  lost: number;
  doubled: number;
  unacknowledged: number;
  consumed: number;
  consumedUnlinked: number;
  pending: number;
  evolutions: EvolutionCounts;
  stalledPlaybooks: number;
  queue: readonly z.infer<typeof QueueRow>[];
  stuckQueueJobs: number;
}

export async function checkDatabase(
  pool: DatabasePool,
  playbookIds: string[],
  acked: AckedOutcome[],
  threshold: number,
): Promise<SoakChecks> {
  const ids = sql.array(playbookIds, "uuid");
  const rows = await pool.any(sql.type(OutcomeRow)`
    select id, playbook_id, idempotency_key from outcomes where playbook_id = any(${ids})`);
  const byKey = new Map<string, z.infer<typeof OutcomeRow>[]>();
  for (const row of rows) {
    const k = `${row.playbook_id}/${row.idempotency_key}`;
    byKey.set(k, [...(byKey.get(k) ?? []), row]);
  }
  const ackedKeys = new Set(acked.map((a) => `${a.playbookId}/${a.key}`));
  let lost = 0;
  let doubled = 0;
  for (const a of acked) {
    const found = byKey.get(`${a.playbookId}/${a.key}`) ?? [];
    if (!found.some((r) => r.id === a.outcomeId)) lost++;
    if (found.length > 1) doubled++;
  }
  // Acknowledged twice with the same key counts as one report (the retries), so compare keys.
  const unacknowledged = rows.filter((r) => !ackedKeys.has(`${r.playbook_id}/${r.idempotency_key}`)).length;
  const consumed = await pool.oneFirst(sql.type(Count)`
    select count(*)::int as n from outcomes where playbook_id = any(${ids}) and processed_at is not null`);
  const consumedUnlinked = await pool.oneFirst(sql.type(Count)`
    select count(*)::int as n from outcomes o left join evolution_jobs j on j.id = o.evolution_job_id
    where o.playbook_id = any(${ids}) and o.processed_at is not null
      and (j.id is null or j.status <> 'completed')`);
  const queue = await pool.any(sql.type(QueueRow)`
    select task_identifier, count(*)::int as n,
      count(*) filter (where locked_at is null and run_at < now() - interval '1 minute')::int as overdue,
      count(*) filter (where locked_at is not null)::int as locked,
      count(*) filter (where locked_at < now() - interval '5 minutes')::int as locked_long,
      count(*) filter (where attempts >= max_attempts)::int as exhausted,
      count(*) filter (where last_error is not null)::int as with_error
    from graphile_worker.jobs group by 1 order by 1`);
  return {
    acked: ackedKeys.size,
    rows: rows.length,
    lost,
    doubled,
    unacknowledged,
    consumed,
    consumedUnlinked,
    pending: rows.length - consumed,
    evolutions: await evolutionCounts(pool, playbookIds),
    stalledPlaybooks: await stalledPlaybooks(pool, playbookIds, threshold),
    queue,
    stuckQueueJobs: stuckJobs(queue),
  };
}

const Durations = z.object({
  n: z.number(),
  wait_p50: z.number().nullable(),
  run_p50: z.number().nullable(),
  run_p99: z.number().nullable(),
  total_p99: z.number().nullable(),
});

/** Seconds from queued to started (wait) and started to completed (run) of evolutions created since `since`. */
export async function evolutionDurations(pool: DatabasePool, playbookIds: string[], since: Date) {
  return pool.one(sql.type(Durations)`
    with d as (
      select extract(epoch from started_at - created_at)::float8 as wait,
             extract(epoch from completed_at - started_at)::float8 as run,
             extract(epoch from completed_at - created_at)::float8 as total
      from evolution_jobs
      where playbook_id = any(${sql.array(playbookIds, "uuid")}) and status = 'completed'
        and created_at >= ${since.toISOString()}::timestamptz)
    select count(*)::int as n,
      percentile_cont(0.5) within group (order by wait) as wait_p50,
      percentile_cont(0.5) within group (order by run) as run_p50,
      percentile_cont(0.99) within group (order by run) as run_p99,
      percentile_cont(0.99) within group (order by total) as total_p99
    from d`);
}
