import { type ParsedCronItem, parseCronItems, type Task, type TaskList } from "graphile-worker";
import type { DatabasePool } from "slonik";
import type { Config } from "../core/config.ts";
import {
  EvolvePayload,
  reconcileEvolutionJobs,
  runEvolution,
  sweepDueEvolutions,
  thresholdSettings,
} from "../core/evolution/index.ts";
import { createLlmClient, type LlmClient } from "../core/llm/index.ts";
import type { Logger } from "../core/logger.ts";
import { pruneExpiredState } from "../core/maintenance.ts";

export interface TaskDeps {
  pool: DatabasePool;
  config: Config;
  logger: Logger;
  /** Defaults to the configured OpenAI-compatible provider; tests pass one pointed at the fake. */
  llm?: LlmClient;
  /** The sweep's clock; tests move it. */
  now?: () => Date;
}

export function llmFromConfig(config: Config): LlmClient {
  return createLlmClient({
    baseURL: config.llm.baseURL,
    apiKey: config.llm.apiKey,
    models: config.llm.models,
    timeoutMs: config.llm.timeoutMs,
    maxAttempts: config.llm.maxAttempts,
  });
}

/**
 * The worker's tasks. Each is thin: validate the payload, call one core function.
 * `evolve_playbook` throws to make graphile-worker retry (with its exponential backoff).
 */
export function createTaskList(deps: TaskDeps): TaskList {
  const llm = deps.llm ?? llmFromConfig(deps.config);
  const { config } = deps;
  const evolve: Task = async (payload, helpers) => {
    const parsed = EvolvePayload.safeParse(payload);
    if (!parsed.success) {
      deps.logger.error("evolve_playbook: invalid payload; dropping the job", { job: helpers.job.id });
      return;
    }
    await runEvolution(
      {
        pool: deps.pool,
        llm,
        logger: deps.logger,
        settings: {
          batchSize: config.evolution.batchSize,
          tokenBudget: config.evolution.tokenBudget,
          maxRemovalShare: config.evolution.maxRemovalShare,
          maxContentBytes: config.limits.playbookBytes,
          threshold: thresholdSettings(config),
        },
      },
      parsed.data,
      { number: helpers.job.attempts, max: helpers.job.max_attempts },
    );
  };
  const sweep: Task = async () => {
    const now = deps.now?.() ?? new Date();
    const reconciled = await reconcileEvolutionJobs(deps.pool, now);
    if (reconciled.requeued.length + reconciled.failed.length > 0) {
      deps.logger.warn("orphaned evolution jobs reconciled", reconciled);
    }
    const queued = await sweepDueEvolutions(
      deps.pool,
      { hours: config.evolution.timeThresholdHours, maxAttempts: config.evolution.maxAttempts },
      now,
    );
    if (queued.length > 0) deps.logger.info("scheduled evolutions queued", { count: queued.length });
  };
  const prune: Task = async () => {
    const pruned = await pruneExpiredState(deps.pool, deps.now?.() ?? new Date());
    deps.logger.info("expired state pruned", pruned);
  };
  return { evolve_playbook: evolve, evolution_sweep: sweep, prune_expired_state: prune };
}

/** The time-threshold sweep, every EVOLUTION_SWEEP_INTERVAL_MINUTES; housekeeping hourly. */
export function cronItems(config: Config): ParsedCronItem[] {
  const every = config.evolution.sweepIntervalMinutes;
  return parseCronItems([
    {
      task: "evolution_sweep",
      match: `*/${every} * * * *`,
      identifier: "evolution_sweep",
      options: { backfillPeriod: 0, maxAttempts: 1 },
    },
    {
      task: "prune_expired_state",
      match: "17 * * * *",
      identifier: "prune_expired_state",
      options: { backfillPeriod: 0, maxAttempts: 1 },
    },
  ]);
}
