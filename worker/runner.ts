import { type Runner, run, type TaskList, Logger as WorkerLogger } from "graphile-worker";
import pg from "pg";
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import { cronItems, taskList } from "./tasks.ts";

export interface WorkerHandle {
  isRunning(): boolean;
  /** Stops taking jobs, waits for running ones, closes the worker's pool. */
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
  tasks?: TaskList;
  pollIntervalMs?: number;
}

/**
 * Runs graphile-worker in this process with its own `pg` pool (graphile-worker speaks `pg`, not
 * slonik). Signals are ours to handle: the entry point stops the worker in its shutdown order.
 */
export async function startWorker(
  url: string,
  config: Config,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<WorkerHandle> {
  const pool = new pg.Pool({ connectionString: url, max: config.worker.concurrency + 2 });
  // An idle client losing its connection must not crash the process; graphile-worker reconnects.
  const onError = (error: Error) => logger.warn("worker pool connection error", { error: error.message });
  pool.on("error", onError);
  pool.on("connect", (client) => client.on("error", onError));
  let running = false;
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: config.worker.concurrency,
    taskList: options.tasks ?? taskList,
    parsedCronItems: cronItems(config),
    noHandleSignals: true,
    pollInterval: options.pollIntervalMs ?? 2_000,
    logger: workerLogger(logger),
  });
  running = true;
  runner.promise.catch((error) => {
    running = false;
    logger.error("worker stopped unexpectedly", { error });
  });
  return {
    isRunning: () => running,
    stop: async () => {
      running = false;
      await runner.stop();
      await pool.end();
    },
  };
}
