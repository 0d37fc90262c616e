import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { enqueueIfThresholdMet } from "../evolution/enqueue.ts";
import { lockOwnPlaybook } from "../playbooks/access.ts";
import { lockPlaybook } from "../playbooks/queries.ts";
import { enforceRateLimit, type RateRule, rateKeys } from "../rate-limit/index.ts";
import { countPending, findByIdempotencyKey, insertOutcome } from "./queries.ts";
import type { OutcomeRecorded, ReportOutcome } from "./schemas.ts";

export interface OutcomeLimits {
  reasoningTraceBytes: number;
  notesBytes: number;
}

function checkSize(field: string, value: string | undefined, limit: number): void {
  if (value === undefined) return;
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > limit) {
    throw new AppError(
      "payload_too_large",
      `${field} is ${bytes} bytes; the limit is ${limit} bytes. Shorten it.`,
      {
        details: { field, limit_bytes: limit, actual_bytes: bytes },
      },
    );
  }
}

/**
 * Records what happened when an agent used a playbook. A retry carrying the same idempotency key
 * (header or client_outcome_id) returns the first report instead of adding another.
 * Throws `not_found` (missing or another user's playbook), `forbidden` (starter, or an API key
 * without `write`), `conflict` (archived playbook), `payload_too_large` (trace or notes too long),
 * `rate_limited` (over the per-user limit in `rateRule`).
 */
export async function reportOutcome(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  input: ReportOutcome,
  options: {
    limits: OutcomeLimits;
    rateRule?: RateRule;
    idempotencyKey?: string | null;
    /** The outcome threshold: when pending outcomes reach it, an evolution is queued in this transaction. */
    evolution?: { threshold: number; maxAttempts: number };
  },
): Promise<OutcomeRecorded> {
  requireScope(caller, "write");
  checkSize("reasoning_trace", input.reasoning_trace, options.limits.reasoningTraceBytes);
  checkSize("notes", input.notes, options.limits.notesBytes);
  if (options.rateRule) {
    await enforceRateLimit(pool, rateKeys.outcomes(caller.userId), options.rateRule, {
      what: "outcome reports",
    });
  }
  const key = options.idempotencyKey?.trim() || input.client_outcome_id || null;
  return pool.transaction(async (tx) => {
    // No row lock for the insert itself, so reports to one playbook do not queue behind each other;
    // only a report that reaches the threshold locks the playbook to decide on an evolution.
    const playbook = await lockOwnPlaybook(tx, caller, playbookId, { lock: false });
    if (playbook.status === "archived") {
      throw new AppError(
        "conflict",
        "This playbook is archived. Restore it (PUT status=active) before reporting outcomes.",
      );
    }
    const inserted = await insertOutcome(tx, {
      playbookId: playbook.id,
      userId: caller.userId,
      apiKeyId: caller.apiKeyId,
      taskDescription: input.task_description,
      status: input.outcome,
      reasoningTrace: input.reasoning_trace ?? null,
      notes: input.notes ?? null,
      bulletsUsed: [...new Set(input.bullets_used ?? [])],
      idempotencyKey: key,
    });
    const outcomeId = inserted ?? (await findByIdempotencyKey(tx, playbook.id, key as string));
    const pending = await countPending(tx, playbook.id);
    if (inserted && options.evolution && pending >= options.evolution.threshold) {
      // Under the lock, the threshold is re-checked against committed state (READ COMMITTED), so
      // a job that completed meanwhile is seen, and concurrent reports enqueue at most one job.
      await lockPlaybook(tx, playbook.id);
      await enqueueIfThresholdMet(tx, { id: playbook.id, userId: caller.userId }, options.evolution);
    }
    return { outcome_id: outcomeId, status: "recorded" as const, pending_outcomes: pending };
  });
}
