import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { readablePlaybook } from "../playbooks/access.ts";
import { starterReadOnly } from "../playbooks/errors.ts";
import { checkEvolveNow, type EvolveNowRules } from "./evolve-now.ts";
import type { EvolveNowAvailability } from "./schemas.ts";

/**
 * Whether "Evolve now" would start an evolution of the caller's playbook right now, and if not,
 * why (and when it frees up, for the rate limit): the trigger's own checks (`checkEvolveNow`),
 * spending nothing. Needs `read`. Throws `not_found` (missing or another user's), `forbidden`
 * (a starter: read-only, copy it first).
 */
export async function evolutionAvailability(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  rules: EvolveNowRules,
  now = new Date(),
): Promise<EvolveNowAvailability> {
  return pool.transaction(async (tx) => {
    const playbook = await readablePlaybook(tx, caller, playbookId);
    if (playbook.source === "starter") throw starterReadOnly();
    const check = await checkEvolveNow(tx, playbook, rules, "peek", now);
    if (check.ok) return { available: true, reason: null, message: null, available_at: null };
    return {
      available: false,
      reason: check.reason,
      message: check.message,
      available_at: check.availableAt?.toISOString() ?? null,
    };
  });
}
