import { type Config, ConfigError, loadConfig } from "../core/config.ts";
import { type DatabaseHandle, describeConnectionError, openDatabase } from "../core/db/database.ts";
import { MigrationError, migrate } from "../core/db/migrate.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createLogger, type Logger } from "../core/logger.ts";
import { seedStarters } from "../core/playbooks/index.ts";
import { withJwtSecret } from "../core/secrets.ts";
import { startWorker, type WorkerHandle } from "../worker/runner.ts";
import { createApp, createFetchHandler } from "./app.ts";
import { serveHttp } from "./serve.ts";

/**
 * The one entry point. `bun run start` runs everything in one process (HTTP + worker, embedded
 * Postgres when DATABASE_URL is unset); `--role=api` and `--role=worker` run one half each.
 * Shutdown order on SIGINT/SIGTERM: stop taking requests, finish in-flight ones, stop the worker
 * (it finishes running jobs), close the pool, then stop Postgres.
 */

type Role = "all" | "api" | "worker";

function parseRole(argv: string[]): Role {
  const flag = argv.find((a) => a.startsWith("--role="))?.slice("--role=".length) ?? "all";
  if (flag === "all" || flag === "api" || flag === "worker") return flag;
  fail(`Unknown --role=${flag}. Use --role=api, --role=worker, or no flag for both.`);
}

function fail(message: string): never {
  process.stderr.write(`\nACE Platform could not start.\n\n${message}\n\n`);
  process.exit(1);
}

function explain(error: unknown, url?: string): string {
  if (error instanceof ConfigError) return `${error.message}\n\nSee .env.example for every setting.`;
  if (error instanceof MigrationError) return `Database migration refused: ${error.message}`;
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return "The HTTP port is already in use. Stop the other process or set PORT.";
  if (url && code) return describeConnectionError(url, error);
  return (error as Error).message ?? String(error);
}

async function main(): Promise<void> {
  const role = parseRole(Bun.argv);
  let config: Config;
  try {
    config = withJwtSecret(loadConfig(process.env));
  } catch (error) {
    fail(explain(error));
  }
  const logger = createLogger(config.logLevel, { role });
  const started = performance.now();
  // A signal during start-up must not kill the process before the embedded Postgres is stopped:
  // remember it and shut down properly once everything is up.
  let stopRequested = false;
  const early = () => {
    stopRequested = true;
  };
  process.on("SIGINT", early).on("SIGTERM", early);
  let db: DatabaseHandle | undefined;
  try {
    db = await openDatabase(config, logger);
    await migrate(db.url);
    const runtime = await startRuntime(role, config, db, logger);
    logger.info("ready", { ms: Math.round(performance.now() - started), ...runtime.info });
    process.off("SIGINT", early).off("SIGTERM", early);
    const stop = onSignals(() => shutdown(runtime, db!, config, logger));
    if (stopRequested) stop();
  } catch (error) {
    await db?.stop();
    fail(explain(error, db?.url ?? config.database.url));
  }
}

interface Runtime {
  info: Record<string, unknown>;
  server?: ReturnType<typeof Bun.serve>;
  worker?: WorkerHandle;
  closePool(): Promise<void>;
}

async function startRuntime(
  role: Role,
  config: Config,
  db: DatabaseHandle,
  logger: Logger,
): Promise<Runtime> {
  const pool = await createDbPool(db.url, { maxPoolSize: config.database.poolSize });
  await seedStarters(pool, logger);
  const wantWorker = role === "worker" || (role === "all" && config.worker.mode === "inline");
  const worker = wantWorker ? await startWorker(db.url, config, logger) : undefined;
  if (role === "worker") return { info: { worker: true }, worker, closePool: () => pool.end() };

  const deps = { config, pool, logger, workerRunning: worker ? () => worker.isRunning() : undefined };
  const fetch = createFetchHandler(createApp(deps), deps);
  const server = serveHttp(fetch, config);
  return {
    info: {
      url: `http://${config.http.host}:${server.port}`,
      worker: Boolean(worker),
      embedded_db: db.embedded,
    },
    server,
    worker,
    closePool: () => pool.end(),
  };
}

/** Runs `handler` once on SIGINT/SIGTERM, then exits; returns a function that does the same now. */
function onSignals(handler: () => Promise<void>): () => void {
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

async function shutdown(runtime: Runtime, db: DatabaseHandle, config: Config, logger: Logger): Promise<void> {
  logger.info("shutting down");
  // Past the budget (e.g. an evolution stuck in a slow LLM call), give up on in-flight work but
  // still stop the embedded Postgres: an orphaned server would block the next start. The
  // interrupted job is taken over after a restart (its worker's heartbeat goes stale).
  const force = setTimeout(() => {
    logger.error("shutdown timed out; stopping Postgres and exiting");
    void db.stop().finally(() => process.exit(1));
  }, config.http.shutdownTimeoutMs);
  await runtime.server?.stop(false); // resolves once in-flight requests are answered
  await runtime.worker?.stop();
  await runtime.closePool();
  await db.stop();
  clearTimeout(force);
  logger.info("stopped");
}

await main();
