import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { enqueueIfThresholdMet, type ThresholdSettings } from "../evolution/enqueue.ts";
import { countPendingOutcomes, findActiveJob } from "../evolution/queries.ts";
import { recordOutcome } from "../metrics/index.ts";
import { lockOwnPlaybook } from "../playbooks/access.ts";
import { enforceRateLimit, type RateRule, rateKeys } from "../rate-limit/index.ts";
import { findByIdempotencyKey, insertOutcome } from "./queries.ts";
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
    evolution?: ThresholdSettings;
  },
): Promise<OutcomeRecorded> {
  requireScope(caller, "write");
  checkSize("reasoning_trace", input.reasoning_trace, options.limits.reasoningTraceBytes);
  checkSize("notes", input.notes, options.limits.notesBytes);
  const key = options.idempotencyKey?.trim() || input.client_outcome_id || null;
  let inserted = false;
  const recorded = await pool.transaction(async (tx) => {
    // The playbook lock serialises reports to one playbook, so exactly one of them sees the
    // pending count reach the threshold (and sees a job that completed meanwhile).
    const playbook = await lockOwnPlaybook(tx, caller, playbookId);
    const earlier = key ? await findByIdempotencyKey(tx, playbook.id, key) : null;
    if (earlier)
      return {
        outcome_id: earlier,
        status: "recorded" as const,
        pending_outcomes: await countPendingOutcomes(tx, playbook.id),
        // The retried report may have queued one: answer with the active evolution, if any.
        queued_evolution_id: (await findActiveJob(tx, playbook.id))?.id ?? null,
      };
    // Inside the transaction: a retry, a refused or a failed report spends no rate-limit token.
    if (options.rateRule) {
      await enforceRateLimit(tx, rateKeys.outcomes(caller.userId), options.rateRule, {
        what: "outcome reports",
      });
    }
    const outcomeId = await insertOutcome(tx, {
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
    inserted = true;
    const { pending, queued } = await enqueueIfThresholdMet(
      tx,
      { id: playbook.id, userId: caller.userId },
      options.evolution,
    );
    return {
      outcome_id: outcomeId,
      status: "recorded" as const,
      pending_outcomes: pending,
      queued_evolution_id: queued?.job_id ?? null,
    };
  });
  if (inserted) recordOutcome(input.outcome); // counted once committed; a replay is not a new outcome
  return recorded;
}
