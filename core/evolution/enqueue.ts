import type { CommonQueryMethods } from "slonik";
import { recordEvolutionTriggered } from "../metrics/index.ts";
import {
  addWorkerJob,
  countPendingOutcomes,
  type FailureBackoff,
  findActiveJob,
  insertJob,
  isInFailureBackoff,
} from "./queries.ts";
import type { TriggerResult } from "./schemas.ts";

export type EvolutionTrigger = "manual" | "threshold" | "schedule";

/**
 * Queues an evolution of the playbook, or returns the one already queued or running.
 * Must run inside the caller's transaction: the job row and the graphile-worker job commit
 * together or not at all. The partial unique index makes concurrent calls safe.
 */
export async function enqueueEvolution(
  tx: CommonQueryMethods,
  job: { playbookId: string; userId: string; trigger: EvolutionTrigger; maxAttempts: number },
): Promise<TriggerResult> {
  const jobId = await insertJob(tx, job);
  if (jobId) {
    await addWorkerJob(tx, { job_id: jobId, playbook_id: job.playbookId }, job.maxAttempts);
    // Counted as queued here, inside the transaction: every caller commits right after this.
    recordEvolutionTriggered(job.trigger);
    return { job_id: jobId, status: "queued", is_new: true };
  }
  const active = await findActiveJob(tx, job.playbookId);
  if (!active) throw new Error("evolution job conflict without an active job"); // cannot happen: the index said one exists
  return { job_id: active.id, status: active.status, is_new: false };
}

export interface ThresholdSettings {
  threshold: number;
  maxAttempts: number;
  failureBackoff: FailureBackoff;
}

/**
 * The outcome threshold, decided in one place: counts the playbook's pending outcomes and queues
 * an evolution when they reach `threshold`, none is active and the playbook is not pausing after
 * failed evolutions (a manual trigger still works then). Without settings nothing is queued.
 * Runs in the transaction that wrote the outcome (or finished the previous job), so the decision
 * and the enqueue are atomic. Returns the pending count and the job queued, if any.
 */
export async function enqueueIfThresholdMet(
  tx: CommonQueryMethods,
  playbook: { id: string; userId: string },
  settings: ThresholdSettings | undefined,
  options: { now?: Date; pending?: number } = {},
): Promise<{ pending: number; queued: TriggerResult | null }> {
  const now = options.now ?? new Date();
  // A caller that just counted under the playbook lock passes its count.
  const pending = options.pending ?? (await countPendingOutcomes(tx, playbook.id));
  const due =
    settings !== undefined &&
    pending >= settings.threshold &&
    !(await findActiveJob(tx, playbook.id)) &&
    !(await isInFailureBackoff(tx, playbook.id, now, settings.failureBackoff));
  if (!due) return { pending, queued: null };
  const queued = await enqueueEvolution(tx, {
    playbookId: playbook.id,
    userId: playbook.userId,
    trigger: "threshold",
    maxAttempts: settings.maxAttempts,
  });
  return { pending, queued };
}
