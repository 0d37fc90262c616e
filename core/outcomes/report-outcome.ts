import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { enqueueIfThresholdMet, type ThresholdSettings } from "../evolution/enqueue.ts";
import { countPendingOutcomes, findActiveJob } from "../evolution/queries.ts";
import { recordOutcome } from "../metrics/index.ts";
import { readablePlaybook } from "../playbooks/access.ts";
import { isUuid, playbookArchived, playbookNotFound, starterReadOnly } from "../playbooks/errors.ts";
import { lockPlaybook } from "../playbooks/queries.ts";
import {
  createRateCounter,
  type RateCounter,
  type RateRule,
  rateKeys,
  rateLimitedError,
  refundRateToken,
} from "../rate-limit/index.ts";
import type { OutcomeWriter } from "./outcome-writer.ts";
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

/** The answer to a retry: the first report, the pending count now and the active evolution, if any. */
async function replay(pool: DatabasePool, playbookId: string, outcomeId: string): Promise<OutcomeRecorded> {
  const [pending, active] = await Promise.all([
    countPendingOutcomes(pool, playbookId),
    findActiveJob(pool, playbookId),
  ]);
  // The retried report may have queued one: answer with the active evolution, if any.
  return {
    outcome_id: outcomeId,
    status: "recorded",
    pending_outcomes: pending,
    queued_evolution_id: active?.id ?? null,
  };
}

/** Why the user's own active playbook was not found: the error lockOwnPlaybook would throw. */
async function refusal(pool: DatabasePool, caller: Caller, playbookId: string): Promise<AppError> {
  const row = await readablePlaybook(pool, caller, playbookId, { scope: null });
  if (row.source === "starter") return starterReadOnly();
  if (row.status === "archived") return playbookArchived();
  return playbookNotFound(); // it changed meanwhile
}

/**
 * Records what happened when an agent used a playbook. A retry carrying the same idempotency key
 * (header or client_outcome_id) returns the first report instead of adding another, however
 * many arrive at once. Two short statements, no transaction held across round trips: the
 * rate-limit token (batched with the user's concurrent reports: createRateCounter), then the
 * insert and the playbook's counters (insertOutcomes; its row locks last only that statement; a
 * token spent on nothing stored is given back). Only when the pending
 * count reaches the threshold and no evolution is active does it lock the playbook and queue one
 * (enqueueIfThresholdMet, which re-counts under the lock), so exactly one is queued; should the
 * process die between the two, the next report or the sweep queues it.
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
    /** Counts the report against `rateRule` (createRateCounter: batched per user and process). */
    rateCounter?: RateCounter;
    /** Writes the outcome (createOutcomeWriter: reports arriving together share a statement). */
    writer?: OutcomeWriter;
    idempotencyKey?: string | null;
    /** The outcome threshold: when pending outcomes reach it, an evolution is queued. */
    evolution?: ThresholdSettings;
  },
): Promise<OutcomeRecorded> {
  requireScope(caller, "write");
  checkSize("reasoning_trace", input.reasoning_trace, options.limits.reasoningTraceBytes);
  checkSize("notes", input.notes, options.limits.notesBytes);
  if (!isUuid(playbookId)) throw playbookNotFound();
  const key = options.idempotencyKey?.trim() || input.client_outcome_id || null;
  const earlier = async () => {
    if (!key) return null;
    const id = await findByIdempotencyKey(pool, playbookId, key);
    // Only the owner's outcomes: another user's playbook stays not found.
    if (id) await readablePlaybook(pool, caller, playbookId, { scope: null });
    return id;
  };
  const first = await earlier();
  if (first) return replay(pool, playbookId, first);
  const rule = options.rateRule?.enabled === false ? undefined : options.rateRule;
  const rateKey = rateKeys.outcomes(caller.userId);
  let countedAt = new Date();
  // The rate-limit token first, in its own statement (batched with the user's concurrent
  // reports): the per-user bucket row stays locked only for that, not across the insert.
  if (rule) {
    const counter = options.rateCounter ?? createRateCounter(pool);
    const limit = await counter.consume(rateKey, rule, countedAt); // the RateLimit-* headers, allowed or not
    if (!limit.allowed) throw rateLimitedError(limit, "outcome reports");
    countedAt = limit.countedAt;
  }
  const outcome = {
    playbookId,
    userId: caller.userId,
    apiKeyId: caller.apiKeyId,
    taskDescription: input.task_description,
    status: input.outcome,
    reasoningTrace: input.reasoning_trace ?? null,
    notes: input.notes ?? null,
    bulletsUsed: [...new Set(input.bullets_used ?? [])],
    idempotencyKey: key,
  };
  const row = await (options.writer ? options.writer.insert(outcome) : insertOutcome(pool, outcome));
  if (!row) {
    // A retry or a refused report spends no rate-limit token: it is given back.
    if (rule) await refundRateToken(pool, rateKey, rule, countedAt);
    const raced = await earlier(); // a concurrent retry with the same key committed first
    if (raced) return replay(pool, playbookId, raced);
    throw await refusal(pool, caller, playbookId);
  }
  recordOutcome(input.outcome); // counted once stored; a replay is not a new outcome
  // A fresh read, not one inside the insert: the insert may have waited for the playbook lock of
  // an evolution's completion, which recounted without this report and committed meanwhile,
  // while the insert's snapshot still shows that evolution active.
  const queued = await queueIfDue(pool, playbookId, caller.userId, row.pending_outcomes, options.evolution);
  return {
    outcome_id: row.id,
    status: "recorded",
    pending_outcomes: row.pending_outcomes,
    queued_evolution_id: queued,
  };
}

/**
 * The threshold decision after a report that saw no active evolution: nothing below it or once
 * one is active (one read, no lock: concurrent reports crossing the threshold together); otherwise under the playbook lock, where enqueueIfThresholdMet counts again and
 * sees any job queued meanwhile, so concurrent reports queue one evolution between them.
 */
async function queueIfDue(
  pool: DatabasePool,
  playbookId: string,
  userId: string,
  pending: number,
  settings: ThresholdSettings | undefined,
): Promise<string | null> {
  if (!settings || pending < settings.threshold) return null;
  if (await findActiveJob(pool, playbookId)) return null;
  return pool.transaction(async (tx) => {
    if (!(await lockPlaybook(tx, playbookId))) return null; // deleted meanwhile
    const { queued } = await enqueueIfThresholdMet(tx, { id: playbookId, userId }, settings);
    return queued?.is_new ? queued.job_id : null;
  });
}
