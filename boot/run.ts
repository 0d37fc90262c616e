import path from "node:path";
import { createApp, createFetchHandler } from "../api/app.ts";
import { serveMetricsListener } from "../api/metrics.ts";
import { serveHttp } from "../api/serve.ts";
import type { Config } from "../core/config.ts";
import type { DatabaseHandle } from "../core/db/database.ts";
import { createNotifications } from "../core/db/notifications.ts";
import { closeErrorTracking } from "../core/error-tracking.ts";
import type { Logger } from "../core/logger.ts";
import { startWorker, type WorkerHandle } from "../worker/runner.ts";
import { type Composition, compose } from "./compose.ts";

/** The built dashboard (`bun install` builds it: package.json postinstall). */
const ADMIN_BUILD_DIR = path.join(import.meta.dir, "..", "admin", "build");

/** What one process runs: both halves (the default), or one. */
export type ServeRole = "all" | "api" | "worker";

export interface Runtime {
  info: Record<string, unknown>;
  server?: ReturnType<typeof Bun.serve>;
  /** The metrics-only listener (METRICS_PORT), when configured. */
  metricsServer?: ReturnType<typeof Bun.serve>;
  worker?: WorkerHandle;
  /** Ends the open live-event streams (GET /v1/events), which would otherwise hold `server.stop` open. */
  endStreams?: () => void;
  /** Closes the pools of every half. */
  close(): Promise<void>;
}

/**
 * Wires and starts the halves of `role` on a migrated database: the API half (HTTP server) and
 * the worker half (graphile-worker, inline with the API unless WORKER_MODE=off), each composed on
 * its own pool. Seeds the starter playbooks first.
 */
export async function startRuntime(
  role: ServeRole,
  config: Config,
  db: DatabaseHandle,
  logger: Logger,
): Promise<Runtime> {
  const runsWorker = role === "worker" || (role === "all" && config.worker.mode === "inline");
  let worker: WorkerHandle | undefined;
  const workerRunning = runsWorker ? () => worker?.isRunning() ?? false : undefined;
  // One LISTEN connection per process, whatever the halves (opened on the first subscription).
  const notifications = createNotifications({ url: db.url, logger });
  const api: Composition | undefined =
    role === "worker"
      ? undefined
      : await compose(config, db.url, "api", { logger, workerRunning, notifications });
  const queue = runsWorker ? await compose(config, db.url, "worker", { logger, notifications }) : undefined;
  await (api ?? queue)?.deps.core.playbooks.seedStarters();
  if (queue) worker = await startWorker(db.url, queue.deps);
  const close = async () => {
    await notifications.close();
    await api?.close();
    await queue?.close();
  };
  const metricsServer = serveMetricsListener(config, logger) ?? undefined;
  const metrics = metricsInfo(config, metricsServer, Boolean(api));
  if (!api) return { info: { worker: true, metrics }, metricsServer, worker, close };
  const server = serveHttp(
    createFetchHandler(createApp(api.deps, { adminDir: ADMIN_BUILD_DIR }), api.deps),
    config,
  );
  return {
    info: {
      url: `http://${config.http.host}:${server.port}`,
      worker: Boolean(worker),
      embedded_db: db.embedded,
      metrics,
    },
    server,
    metricsServer,
    worker,
    endStreams: () => api.deps.core.events.closeAll(),
    close,
  };
}

/** Where this process's metrics can be scraped, for the start-up log line. */
function metricsInfo(config: Config, listener: { port?: number } | undefined, servesHttp: boolean): string {
  if (!config.metrics.token) return "off (METRICS_TOKEN unset)";
  if (listener) return `http://${config.metrics.host}:${listener.port}/metrics`;
  return servesHttp ? "GET /metrics on the HTTP port" : "not scrapeable: set METRICS_PORT";
}

/**
 * Shutdown order: stop taking requests, end live-event streams, finish in-flight ones, stop the worker (it finishes
 * running jobs), close the pools, then stop Postgres.
 */
export async function shutdown(
  runtime: Runtime,
  db: DatabaseHandle,
  config: Config,
  logger: Logger,
): Promise<void> {
  logger.info("shutting down");
  // Past the budget (e.g. an evolution stuck in a slow LLM call), give up on in-flight work but
  // still stop the embedded Postgres: an orphaned server would block the next start. The
  // interrupted job is taken over after a restart (its worker's heartbeat goes stale).
  const force = setTimeout(() => {
    logger.error("shutdown timed out; stopping Postgres and exiting");
    void db.stop().finally(() => process.exit(1));
  }, config.http.shutdownTimeoutMs);
  // Stop listening first, then end the event streams (each gets `event: end`), which never finish
  // by themselves; stop() then resolves once the other in-flight requests are answered.
  const stopped = runtime.server?.stop(false);
  runtime.endStreams?.();
  await stopped;
  await runtime.worker?.stop();
  await runtime.metricsServer?.stop(true);
  await runtime.close();
  await db.stop();
  await closeErrorTracking(); // sends what is still queued
  clearTimeout(force);
  logger.info("stopped");
}

/** Runs `handler` once on SIGINT/SIGTERM, then exits; returns a function that does the same now. */
export function onSignals(handler: () => Promise<void>): () => void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    handler().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop).on("SIGTERM", stop);
  return stop;
}
