import type { DatabasePool } from "slonik";
import { lockPlaybook } from "../playbooks/queries.ts";
import { enqueueEvolution } from "./enqueue.ts";
import { countPendingOutcomes, duePlaybooks } from "./queries.ts";

/**
 * The time threshold (run by cron): queues an evolution for every playbook with pending
 * outcomes whose last evolution (or, never evolved, first pending outcome) is older than
 * `hours`. After a failed evolution the sweep waits `hours` again (the threshold trigger's shorter
 * failure backoff does not apply here: a stale playbook that keeps failing is retried daily, not
 * every few minutes).
 * Returns the ids of the playbooks queued. `now` is injectable for tests.
 */
export async function sweepDueEvolutions(
  pool: DatabasePool,
  settings: { hours: number; maxAttempts: number },
  now: Date = new Date(),
): Promise<string[]> {
  const due = await duePlaybooks(pool, now, settings.hours, {
    baseMinutes: settings.hours * 60,
    capHours: settings.hours,
  });
  const queued: string[] = [];
  for (const playbook of due) {
    const result = await pool.transaction(async (tx) => {
      await lockPlaybook(tx, playbook.id);
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
