import type { DatabasePool } from "slonik";
import { addWorkerJob, orphanedJobs } from "./queries.ts";
import { failJob, usageTotals } from "./queries-run.ts";

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
  for (const job of await orphanedJobs(pool, now, graceSeconds)) {
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
