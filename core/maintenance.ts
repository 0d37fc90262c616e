import type { DatabasePool } from "slonik";
import { deleteAuditEventsBefore } from "./audit/queries.ts";
import { pruneExpiredRefreshTokens } from "./auth/queries.ts";
import { pruneLoginFailures } from "./auth/queries-lockout.ts";
import { clearOutcomeTexts } from "./outcomes/queries.ts";
import { pruneIdleBuckets } from "./rate-limit/queries.ts";
import { deleteFailedQueueJobs } from "./workers/queries.ts";

/** How long what is kept for the user's sake is kept, in days; 0 keeps it forever. */
export interface RetentionSettings {
  /** Outcomes' reasoning traces, notes and reflections (OUTCOME_TRACE_RETENTION_DAYS). */
  outcomeTraceDays: number;
  /** Security audit events (AUDIT_EVENT_RETENTION_DAYS). */
  auditEventDays: number;
}

/**
 * Queue jobs that used up their attempts stay this long for diagnosis. Evolution failures stay
 * readable for good in `evolution_jobs` (status and error_message), which is never pruned.
 */
export const FAILED_QUEUE_JOB_DAYS = 30;

/** Rows per statement: each batch commits on its own, so a large backlog never holds locks long. */
export const RETENTION_BATCH = 1000;

async function inBatches(step: (batch: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await step(RETENTION_BATCH);
    total += done;
    if (done < RETENTION_BATCH) return total;
  }
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/** Runs `step` in batches for what is older than `days`, or nothing when `days` is 0 (keep forever). */
const olderThan = (days: number, now: Date, step: (before: Date, batch: number) => Promise<number>) =>
  days === 0 ? Promise.resolve(0) : inBatches((batch) => step(daysBefore(now, days), batch));

/**
 * Deletes state that can no longer matter and applies the retention policy (run hourly by the
 * worker): rate-limit buckets idle for a day (such a bucket and a missing one behave the same),
 * login-failure records neither recent nor locking, refresh tokens a day past expiry, queue jobs
 * failed for good over FAILED_QUEUE_JOB_DAYS ago; outcome traces, notes and reflections and audit
 * events past their retention. Everything in batches. Returns how many rows each lost or cleared.
 */
export async function pruneExpiredState(
  pool: DatabasePool,
  retention: RetentionSettings,
  now: Date = new Date(),
) {
  return {
    buckets: await inBatches((batch) => pruneIdleBuckets(pool, now, batch)),
    loginFailures: await inBatches((batch) => pruneLoginFailures(pool, now, batch)),
    refreshTokens: await inBatches((batch) => pruneExpiredRefreshTokens(pool, now, batch)),
    failedQueueJobs: await olderThan(FAILED_QUEUE_JOB_DAYS, now, (before, batch) =>
      deleteFailedQueueJobs(pool, before, batch),
    ),
    outcomeTraces: await olderThan(retention.outcomeTraceDays, now, (before, batch) =>
      clearOutcomeTexts(pool, before, batch),
    ),
    auditEvents: await olderThan(retention.auditEventDays, now, (before, batch) =>
      deleteAuditEventsBefore(pool, before, batch),
    ),
  };
}
