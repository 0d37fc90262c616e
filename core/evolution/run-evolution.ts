import type { DatabasePool } from "slonik";
import {
  ACE_CORE_VERSION,
  type EvolveResult,
  evolvePlaybook,
  isEngineError,
  playbookStats,
} from "../ace/index.ts";
import { reportError } from "../error-tracking.ts";
import { isLlmError, type LlmClient, type UsageEntry } from "../llm/index.ts";
import type { Logger } from "../logger.ts";
import { appendVersion, lockPlaybook } from "../playbooks/queries.ts";
import { enqueueIfThresholdMet, type ThresholdSettings } from "./enqueue.ts";
import {
  acquireEvolutionLock,
  claimJob,
  completeJob,
  failJob,
  insertUsage,
  lastRetryNote,
  markProcessed,
  noteRetry,
  playbookState,
  releaseEvolutionLock,
  snapshotOutcomes,
  touchLastEvolved,
  usageTotals,
} from "./queries-run.ts";
import type { EvolvePayload } from "./schemas.ts";

export interface EvolutionSettings {
  batchSize: number;
  tokenBudget: number;
  maxChangeShare: number;
  maxContentBytes: number;
  /** When the job's commit queues the next evolution (outcomes reported meanwhile). */
  threshold: ThresholdSettings;
}

export interface EvolutionDeps {
  pool: DatabasePool;
  llm: LlmClient;
  settings: EvolutionSettings;
  logger: Logger;
}

/** A failure worth retrying later: the job stays queued and graphile-worker tries again. */
export class RetryableEvolutionError extends Error {
  override name = "RetryableEvolutionError";
}

type Job = { id: string; playbook_id: string; user_id: string };
export type RunOutcome = "completed" | "failed" | "skipped";

/**
 * Holds a session advisory lock on the playbook: one evolution per playbook, released if the
 * process dies. Waits briefly for it, because the usual holder is the previous job of the same
 * playbook finishing up (it enqueues its successor just before releasing the lock); only a long
 * wait becomes a retry.
 */
async function withPlaybookLock<T>(pool: DatabasePool, playbookId: string, fn: () => Promise<T>): Promise<T> {
  return pool.connect(async (connection) => {
    if (!(await acquireEvolutionLock(connection, playbookId, "10s"))) {
      throw new RetryableEvolutionError("another evolution of this playbook is still running");
    }
    try {
      return await fn();
    } finally {
      await releaseEvolutionLock(connection, playbookId);
    }
  });
}

/**
 * Runs one evolution job: claim it, snapshot the oldest pending outcomes, run the ACE engine,
 * then commit the new version, processed outcomes and job result in ONE transaction (usage is
 * written per LLM call as it returns, see `recordingUsage`).
 * Transient failures (LLM outage, playbook edited meanwhile) and model replies that stay unusable
 * after the repair call throw so the queue retries (with its backoff), until the last attempt;
 * permanent ones mark the job failed. A playbook archived while the job ran gets no version (the
 * job ends skipped). Either way the playbook and its outcomes are untouched and every LLM call
 * that cost tokens, on every attempt, is recorded as usage.
 */
export async function runEvolution(
  deps: EvolutionDeps,
  payload: EvolvePayload,
  attempt: { number: number; max: number },
): Promise<RunOutcome> {
  try {
    return await withPlaybookLock(deps.pool, payload.playbook_id, () => runLocked(deps, payload, attempt));
  } catch (error) {
    // The lock stayed busy on the last attempt: fail the row rather than leave it active forever.
    if (!(error instanceof RetryableEvolutionError) || attempt.number < attempt.max) throw error;
    await failJob(deps.pool, payload.job_id, error.message, await usageTotals(deps.pool, payload.job_id));
    return "failed";
  }
}

async function runLocked(
  deps: EvolutionDeps,
  payload: EvolvePayload,
  attempt: { number: number; max: number },
): Promise<RunOutcome> {
  const job = await claimJob(deps.pool, payload.job_id);
  if (!job) return "skipped"; // already completed or failed (e.g. a duplicate queue entry)
  const log = deps.logger.child({ job_id: job.id, playbook_id: job.playbook_id, attempt: attempt.number });
  const state = await playbookState(deps.pool, job.playbook_id);
  if (state?.status === "archived") {
    // Nothing failed: the job ends without touching the outcomes, which wait for the playbook's
    // restore. Completed (not failed), so no failure backoff follows; no successor is queued.
    await completeJob(deps.pool, {
      id: job.id,
      outcomesProcessed: 0,
      tokenTotals: {},
      aceCoreVersion: ACE_CORE_VERSION,
      fromVersionId: state.current_version_id,
      toVersionId: null,
      summary: "skipped: the playbook was archived before the evolution ran; its outcomes wait",
      refusals: null,
    });
    log.info("evolution skipped: playbook archived");
    return "skipped";
  }
  const outcomes = state ? await snapshotOutcomes(deps.pool, job.playbook_id, deps.settings.batchSize) : [];
  if (!state || outcomes.length === 0) {
    await complete(deps, job, { outcomes: [], result: null, state });
    log.info("evolution had nothing to process");
    return "completed";
  }
  let result: EvolveResult;
  try {
    const llm = recordingUsage(deps, { userId: job.user_id, playbookId: job.playbook_id, jobId: job.id });
    result = await evolvePlaybook(state.content, outcomes, llm, {
      tokenBudget: state.token_budget ?? deps.settings.tokenBudget,
      maxChangeShare: deps.settings.maxChangeShare,
      maxContentBytes: Math.max(deps.settings.maxContentBytes, Buffer.byteLength(state.content)),
      idFloor: state.id_floor,
    });
  } catch (error) {
    return fail(deps, job, error, attempt, log);
  }
  let committed: RunOutcome;
  try {
    committed = await complete(deps, job, { outcomes, result, state });
  } catch (error) {
    return fail(deps, job, error, attempt, log);
  }
  if (committed === "skipped") log.info("evolution skipped: playbook archived while it ran");
  else log.info("evolution completed", { outcomes: outcomes.length, summary: result.diffSummary });
  return committed;
}

/**
 * The job's LLM client: each call's usage is written as soon as the call returns (or fails after
 * spending tokens), in its own statement, so a worker killed mid-evolution, or a failed attempt,
 * still leaves a record of every token spent. The usage in EvolveResult is therefore not written
 * again.
 */
function recordingUsage(
  deps: EvolutionDeps,
  owner: { userId: string; playbookId: string; jobId: string },
): LlmClient {
  // A failed write is logged, never thrown: throwing would discard a reply already paid for,
  // or turn a permanent LLM error into a retry.
  const record = (usage: UsageEntry[]) =>
    insertUsage(deps.pool, owner, usage).catch((error: unknown) =>
      deps.logger.error("usage record failed", { job_id: owner.jobId, calls: usage.length, error }),
    );
  return {
    models: deps.llm.models,
    async generate(request) {
      try {
        const result = await deps.llm.generate(request);
        await record(result.usage);
        return result;
      } catch (error) {
        if (isLlmError(error)) await record(error.usage);
        throw error;
      }
    },
  };
}

interface Completion {
  outcomes: ReadonlyArray<{ id: string }>;
  result: EvolveResult | null;
  state: { current_version_id: string | null; content: string } | null;
}

const SUBSTANTIVE = new Set(["ADD", "UPDATE", "MERGE", "REMOVE", "PRUNE"]);

function summarize(result: EvolveResult | null, outcomes: number, changed: boolean): string {
  if (!result) return "nothing to process: no pending outcomes";
  const proposed = result.operations.some((e) => e.status === "applied" && SUBSTANTIVE.has(e.op));
  if (proposed || result.refusals.total > 0) return result.diffSummary;
  const tail = changed ? "bullet counters updated" : "no new version created";
  return `curator proposed no changes for ${outcomes} outcome(s); ${tail}`;
}

const ARCHIVED_MEANWHILE =
  "skipped: the playbook was archived while the evolution ran; no version was made and its outcomes wait";

/**
 * Commits the evolution, or, when the playbook was archived while it ran, ends the job as skipped
 * without a version and without touching the outcomes (they wait for the playbook's restore).
 */
async function complete(deps: EvolutionDeps, job: Job, c: Completion): Promise<"completed" | "skipped"> {
  return deps.pool.transaction(async (tx) => {
    const locked = await lockPlaybook(tx, job.playbook_id);
    const current = locked?.current_version_id ?? null;
    if (locked?.status === "archived") {
      await completeJob(tx, {
        id: job.id,
        outcomesProcessed: 0,
        tokenTotals: await usageTotals(tx, job.id),
        aceCoreVersion: ACE_CORE_VERSION,
        fromVersionId: current,
        toVersionId: null,
        summary: ARCHIVED_MEANWHILE,
        refusals: null,
      });
      return "skipped";
    }
    if (c.state && current !== c.state.current_version_id) {
      throw new RetryableEvolutionError(
        "the playbook was edited during the evolution; evolving the new version",
      );
    }
    const changed = c.result !== null && c.result.content !== c.state?.content;
    const version =
      changed && c.result
        ? await appendVersion(tx, {
            playbookId: job.playbook_id,
            content: c.result.content,
            bulletCount: c.result.bulletCount,
            tokenCount: playbookStats(c.result.content).tokens,
            diffSummary: c.result.diffSummary,
            changeLog: c.result.operations,
            origin: "evolution",
            jobId: job.id,
          })
        : null;
    const reflections = new Map(c.result?.reflections.map((r) => [r.outcomeId, r.reflection]) ?? []);
    await markProcessed(
      tx,
      job.id,
      c.outcomes.map((o) => ({ id: o.id, reflection: reflections.get(o.id) ?? null })),
    );
    await completeJob(tx, {
      id: job.id,
      outcomesProcessed: c.outcomes.length,
      tokenTotals: await usageTotals(tx, job.id),
      aceCoreVersion: ACE_CORE_VERSION,
      fromVersionId: c.state?.current_version_id ?? null,
      toVersionId: version?.id ?? null,
      summary: summarize(c.result, c.outcomes.length, changed),
      refusals: c.result ? { ...c.result.refusals } : null,
    });
    if (c.outcomes.length > 0) await touchLastEvolved(tx, job.playbook_id);
    await enqueueIfThresholdMet(tx, { id: job.playbook_id, userId: job.user_id }, deps.settings.threshold);
    return "completed";
  });
}

/**
 * A bug or an outage of ours (for error tracking), not an expected failure: a provider outage,
 * unusable model output, the collapse guard, or a playbook lock still held.
 */
export function isUnexpectedFailure(error: unknown): boolean {
  if (error instanceof RetryableEvolutionError || isLlmError(error)) return false;
  return isEngineError(error) ? error.code === "internal" : true;
}

// Unknown errors (a dropped database connection, …) are retried too; the last attempt fails the job.
const isTransient = (error: unknown) => (isEngineError(error) ? error.transient : true);

/**
 * A model reply that could not be used even after the repair call. Models are stochastic: the
 * next attempt (a fresh evolution, after the queue's backoff) may well succeed, so this is
 * retried like an outage rather than failing the job at once.
 */
const isUnusableReply = (error: unknown) =>
  isEngineError(error) && error.code === "llm_failed" && error.details.kind === "invalid_output";

const PROBLEM_CHARS = 600;
const clip = (text: string) => {
  const short = text.length > PROBLEM_CHARS ? `${text.slice(0, PROBLEM_CHARS)}…` : text;
  return /[.…]$/.test(short) ? short : `${short}.`;
};

/** The job's last word when the model's reply was unusable on its final attempt too. */
async function keptGettingWrong(
  deps: EvolutionDeps,
  jobId: string,
  attempt: { number: number },
  problem: string,
): Promise<string> {
  const summary =
    `gave up after ${attempt.number === 1 ? "1 attempt" : `${attempt.number} attempts`}: ` +
    "the model's reply could not be used, " +
    `also after asking it to repair it. Last attempt: ${clip(problem)}`;
  const before = attempt.number > 1 ? await lastRetryNote(deps.pool, jobId) : null;
  return before ? `${summary} Before that: ${clip(before)}` : summary;
}

/** A message safe for the job row: engine and retry errors are written for users; others are not. */
function describe(error: unknown): string {
  if (isEngineError(error) || error instanceof RetryableEvolutionError) return error.message;
  return "internal error while evolving (see the worker logs)";
}

async function fail(
  deps: EvolutionDeps,
  job: Job,
  error: unknown,
  attempt: { number: number; max: number },
  log: Logger,
): Promise<RunOutcome> {
  const message = describe(error);
  if (isUnexpectedFailure(error)) reportError(error, { tags: { job_id: job.id, attempt: attempt.number } });
  if ((isTransient(error) || isUnusableReply(error)) && attempt.number < attempt.max) {
    log.warn("evolution attempt failed; will retry", { error: message });
    await noteRetry(deps.pool, job.id, `attempt ${attempt.number} of ${attempt.max} failed: ${message}`);
    throw error;
  }
  log.warn("evolution failed", { error: message, cause: isEngineError(error) ? error.code : undefined });
  if (!isEngineError(error) && !(error instanceof RetryableEvolutionError))
    log.error("evolution crashed", { error });
  const final = isUnusableReply(error) ? await keptGettingWrong(deps, job.id, attempt, message) : message;
  await failJob(deps.pool, job.id, final, await usageTotals(deps.pool, job.id));
  return "failed";
}
