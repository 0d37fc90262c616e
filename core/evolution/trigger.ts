import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { lockOwnPlaybook } from "../playbooks/access.ts";
import { enqueueEvolution } from "./enqueue.ts";
import { checkEvolveNow, type EvolveNowRules } from "./evolve-now.ts";
import type { TriggerResult } from "./schemas.ts";

/**
 * Manually triggers an evolution of the caller's playbook. Idempotent: while one is queued or
 * running, that one is returned with `is_new: false` (and no rate-limit token is spent). The
 * checks are `checkEvolveNow`'s, shared with the availability the dashboard shows.
 * Throws `not_found`, `forbidden` (starter, or a key without `evolve`), `conflict` (archived, or
 * no pending outcomes to learn from), `unavailable` (no LLM configured), `rate_limited` (too many
 * new triggers for this playbook).
 */
export async function triggerEvolution(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  settings: { maxAttempts: number } & EvolveNowRules,
): Promise<TriggerResult> {
  requireScope(caller, "evolve");
  return pool.transaction(async (tx) => {
    const playbook = await lockOwnPlaybook(tx, caller, playbookId, { allowArchived: true });
    const check = await checkEvolveNow(tx, playbook, settings, "spend");
    if (!check.ok && check.reason === "already_running") {
      return { job_id: check.active.id, status: check.active.status, is_new: false };
    }
    if (!check.ok) throw check.error;
    return enqueueEvolution(tx, {
      playbookId: playbook.id,
      userId: caller.userId,
      trigger: "manual",
      maxAttempts: settings.maxAttempts,
    });
  });
}
