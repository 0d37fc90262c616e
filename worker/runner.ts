import { EventEmitter } from "node:events";
import { run, type TaskList, type WorkerEvents, Logger as WorkerLogger } from "graphile-worker";
import pg from "pg";
import type { Deps } from "../core/create-core.ts";
import { reportError } from "../core/error-tracking.ts";
import { isUnexpectedFailure } from "../core/evolution/index.ts";
import type { Logger } from "../core/logger.ts";
import { watchPool } from "../core/metrics/index.ts";
import { startLiveness } from "./liveness.ts";
import { createTaskList, cronItems, type TaskOptions } from "./tasks.ts";

export interface WorkerHandle {
  isRunning(): boolean;
  /** Stops taking jobs, waits for running ones, closes graphile-worker's own connections. */
  stop(): Promise<void>;
}

/** graphile-worker's log lines, routed through our JSON logger (debug chatter filtered out). */
function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields = { scope: { label: scope.label, job_id: scope.jobId, task: scope.taskIdentifier }, meta };
    if (level === "error") logger.error(message, fields);
    else if (level === "warning") logger.warn(message, fields);
    else if (level === "info") logger.info(message, fields);
  });
}

export interface StartWorkerOptions extends TaskOptions {
  /** Replaces the task list (benchmarks). */
  tasks?: TaskList;
  pollIntervalMs?: number;
}

/** Connections graphile-worker itself needs: one per concurrent job plus its listener and spare. */
export const queuePoolSize = (concurrency: number) => concurrency + 2;

/**
 * Runs graphile-worker in this process. The tasks use `deps.core`, whose pool the composition
 * root sized for the worker (apart from the API's); graphile-worker gets its own `pg` pool on
 * `url`. Signals are ours: the entry point stops the worker in its shutdown order. Liveness
 * heartbeats let other workers take over jobs if this process dies.
 */
export async function startWorker(
  url: string,
  deps: Deps,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  const { config, logger } = deps;
  const max = queuePoolSize(config.worker.concurrency);
  const pgPool = new pg.Pool({ connectionString: url, max, application_name: "ace-queue" });
  const unwatch = watchPool("queue", () => ({
    inUse: pgPool.totalCount - pgPool.idleCount,
    idle: pgPool.idleCount,
    waiting: pgPool.waitingCount,
    max,
  }));
  // An idle client losing its connection must not crash the process; graphile-worker reconnects.
  const onError = (error: Error) => logger.warn("worker pool connection error", { error: error.message });
  pgPool.on("error", onError);
  pgPool.on("connect", (client) => client.on("error", onError));
  // Liveness listens before run(): the worker pool (whose id locks the jobs) is created inside it.
  const events: WorkerEvents = new EventEmitter();
  const liveness = startLiveness(events, deps.core, logger, config.worker.staleLockSeconds);
  const runner = await run({
    events,
    pgPool,
    concurrency: config.worker.concurrency,
    taskList: options.tasks ?? createTaskList(deps, options),
    parsedCronItems: cronItems(config),
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    logger: workerLogger(logger),
  }).catch(async (error: unknown) => {
    await liveness.stop();
    await pgPool.end();
    throw error;
  });
  // A task that threw for an unexpected reason: to Sentry (when configured), tagged with the job.
  runner.events.on("job:error", ({ job, error }) => {
    if (!isUnexpectedFailure(error)) return;
    reportError(error, { tags: { task: job.task_identifier, queue_job_id: job.id, attempt: job.attempts } });
  });
  let running = true;
  runner.promise.catch((error) => {
    running = false;
    logger.error("worker stopped unexpectedly", { error });
  });
  return {
    isRunning: () => running,
    stop: async () => {
      running = false;
      await runner.stop();
      await liveness.stop();
      unwatch();
      await pgPool.end();
    },
  };
}
