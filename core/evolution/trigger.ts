import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { lockOwnPlaybook } from "../playbooks/access.ts";
import { enforceRateLimit, type RateRule, rateKeys } from "../rate-limit/index.ts";
import { enqueueEvolution } from "./enqueue.ts";
import { countPendingOutcomes, findActiveJob } from "./queries.ts";
import type { TriggerResult } from "./schemas.ts";

/**
 * Manually triggers an evolution of the caller's playbook. Idempotent: while one is queued or
 * running, that one is returned with `is_new: false` (and no rate-limit token is spent).
 * Throws `not_found`, `forbidden` (starter, or a key without `evolve`), `conflict` (archived, or
 * no pending outcomes to learn from), `rate_limited` (too many new triggers for this playbook).
 */
export async function triggerEvolution(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  settings: { maxAttempts: number; rateRule?: RateRule },
): Promise<TriggerResult> {
  requireScope(caller, "evolve");
  return pool.transaction(async (tx) => {
    const playbook = await lockOwnPlaybook(tx, caller, playbookId);
    const active = await findActiveJob(tx, playbook.id);
    if (active) return { job_id: active.id, status: active.status, is_new: false };
    if ((await countPendingOutcomes(tx, playbook.id)) === 0) {
      throw new AppError(
        "conflict",
        "Nothing to evolve from: this playbook has no unprocessed outcomes. Report outcomes first.",
        { details: { reason: "no_pending_outcomes" } },
      );
    }
    if (settings.rateRule) {
      await enforceRateLimit(tx, rateKeys.evolutions(playbook.id), settings.rateRule, {
        what: "evolution triggers",
      });
    }
    return enqueueEvolution(tx, {
      playbookId: playbook.id,
      userId: caller.userId,
      trigger: "manual",
      maxAttempts: settings.maxAttempts,
    });
  });
}
