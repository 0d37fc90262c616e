import { run, type TaskList, Logger as WorkerLogger } from "graphile-worker";
import pg from "pg";
import type { Config } from "../core/config.ts";
import { createDbPool } from "../core/db/pool.ts";
import type { Logger } from "../core/logger.ts";
import { startLiveness } from "./liveness.ts";
import { createTaskList, cronItems, type TaskDeps } from "./tasks.ts";

export interface WorkerHandle {
  isRunning(): boolean;
  /** Stops taking jobs, waits for running ones, closes the worker's own connections. */
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

export interface StartWorkerOptions {
  /** Replaces the task list (tests). */
  tasks?: TaskList;
  /** Overrides for the tasks' dependencies (tests: fake LLM, clock). */
  taskDeps?: Partial<Pick<TaskDeps, "llm" | "now">>;
  pollIntervalMs?: number;
}

/**
 * Runs graphile-worker in this process. It gets its own connections, apart from the API's: a `pg`
 * pool for graphile-worker itself and a slonik pool for the tasks, sized so every running job can
 * hold its playbook lock connection and still query (two per job, plus the heartbeat).
 * Signals are ours: the entry point stops the worker in its shutdown order. Liveness heartbeats
 * let other workers take over jobs if this process dies.
 */
export async function startWorker(
  url: string,
  config: Config,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  const pool = await createDbPool(url, { maxPoolSize: config.worker.concurrency * 2 + 2 });
  const pgPool = new pg.Pool({ connectionString: url, max: config.worker.concurrency + 2 });
  // An idle client losing its connection must not crash the process; graphile-worker reconnects.
  const onError = (error: Error) => logger.warn("worker pool connection error", { error: error.message });
  pgPool.on("error", onError);
  pgPool.on("connect", (client) => client.on("error", onError));
  const runner = await run({
    pgPool,
    concurrency: config.worker.concurrency,
    taskList: options.tasks ?? createTaskList({ pool, config, logger, ...options.taskDeps }),
    parsedCronItems: cronItems(config),
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    logger: workerLogger(logger),
  });
  const liveness = startLiveness(runner, pool, logger, config.worker.staleLockSeconds);
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
      await pgPool.end();
      await pool.end();
    },
  };
}
