import { type DatabasePool, sql } from "slonik";
import { z } from "zod";
import { addWorkerJob } from "./queries.ts";
import { failJob } from "./run-queries.ts";
import { usageTotals } from "./usage-totals.ts";

/**
 * Active evolution rows whose queue entry can no longer run: it is gone, or graphile-worker gave
 * up on it (attempts used up, e.g. by a worker killed on the last attempt). Such a row would
 * block its playbook forever (one active job per playbook), so nothing is "stuck" for long.
 */
const orphans = (pool: DatabasePool, now: Date, graceSeconds: number) =>
  pool.any(sql.type(
    z.object({ id: z.string(), playbook_id: z.string(), attempts: z.number(), max_attempts: z.number() }),
  )`
    select j.id, j.playbook_id, j.attempts, j.max_attempts from evolution_jobs j
    where j.status in ('queued', 'running')
      and j.updated_at < ${now.toISOString()}::timestamptz - make_interval(secs => ${graceSeconds})
      and not exists (
        select 1 from graphile_worker._private_jobs g
        where g.payload->>'job_id' = j.id::text and (g.locked_at is not null or g.attempts < g.max_attempts))`);

/**
 * Re-queues orphaned evolution jobs that have attempts left and fails the others with a readable
 * message (their playbook and outcomes stay as they were). Runs with the scheduled sweep.
 * Returns what it did, by job id.
 */
export async function reconcileEvolutionJobs(
  pool: DatabasePool,
  now: Date = new Date(),
  graceSeconds = 120,
): Promise<{ requeued: string[]; failed: string[] }> {
  const requeued: string[] = [];
  const failed: string[] = [];
  for (const job of await orphans(pool, now, graceSeconds)) {
    if (job.attempts >= job.max_attempts) {
      const message = `gave up after ${job.attempts} attempts: the worker running it stopped before finishing`;
      await failJob(pool, job.id, message, await usageTotals(pool, job.id));
      failed.push(job.id);
    } else {
      await addWorkerJob(
        pool,
        { job_id: job.id, playbook_id: job.playbook_id },
        job.max_attempts - job.attempts,
      );
      requeued.push(job.id);
    }
  }
  return { requeued, failed };
}
