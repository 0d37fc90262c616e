import { type DatabasePool, sql } from "slonik";
import { enqueueEvolution } from "./enqueue.ts";
import { countPendingOutcomes, duePlaybooks, type FailureBackoff } from "./queries.ts";

/**
 * The time threshold (run by cron): queues an evolution for every playbook with pending
 * outcomes whose last evolution (or, never evolved, first pending outcome) is older than
 * `hours`. A playbook pausing after failed evolutions (`failureBackoff`) waits until the pause ends.
 * Returns the ids of the playbooks queued. `now` is injectable for tests.
 */
export async function sweepDueEvolutions(
  pool: DatabasePool,
  settings: { hours: number; maxAttempts: number; failureBackoff: FailureBackoff },
  now: Date = new Date(),
): Promise<string[]> {
  const due = await duePlaybooks(pool, now, settings.hours, settings.failureBackoff);
  const queued: string[] = [];
  for (const playbook of due) {
    const result = await pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`select 1 from playbooks where id = ${playbook.id} for no key update`);
      // A job may have processed the outcomes since the scan: queue nothing rather than an empty run.
      if ((await countPendingOutcomes(tx, playbook.id)) === 0) return null;
      return enqueueEvolution(tx, {
        playbookId: playbook.id,
        userId: playbook.user_id,
        trigger: "schedule",
        maxAttempts: settings.maxAttempts,
      });
    });
    if (result?.is_new) queued.push(playbook.id);
  }
  return queued;
}
