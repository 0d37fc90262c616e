import { migrate } from "./boot/migrate.ts";
import { onSignals, type ServeRole, shutdown, startRuntime } from "./boot/run.ts";
import { type Config, ConfigError, loadConfig } from "./core/config.ts";
import {
  type DatabaseHandle,
  describeConnectionError,
  openDatabase,
  withDatabase,
} from "./core/db/database.ts";
import { MigrationError } from "./core/db/migrate.ts";
import { initErrorTracking } from "./core/error-tracking.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { withJwtSecret } from "./core/secrets.ts";

/**
 * The process entry point. `bun main.ts` runs everything in one process (HTTP + worker, embedded
 * Postgres when DATABASE_URL is unset); `--role=api` and `--role=worker` run one half each;
 * `--role=migrate` applies pending migrations and exits. The wiring is boot/compose.ts; the
 * start-up and shutdown order is boot/run.ts.
 */

type Role = ServeRole | "migrate";
const ROLES: readonly Role[] = ["all", "api", "worker", "migrate"];

function parseRole(argv: string[]): Role {
  const flag = argv.find((a) => a.startsWith("--role="))?.slice("--role=".length) ?? "all";
  const role = ROLES.find((r) => r === flag);
  if (role) return role;
  fail(`Unknown --role=${flag}. Use --role=api, --role=worker, --role=migrate, or no flag for both halves.`);
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

/** `--role=migrate`: apply pending migrations (starting the embedded Postgres if needed) and exit. */
async function migrateOnly(config: Config, logger: Logger): Promise<void> {
  await withDatabase(config, logger, async (url) => {
    const applied = await migrate(url);
    logger.info(applied.length ? "migrations applied" : "schema up to date", { applied });
  });
}

async function serve(role: ServeRole, config: Config, logger: Logger): Promise<void> {
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
    const { dsn, environment } = config.errorTracking;
    if (dsn) await initErrorTracking({ dsn, environment, role });
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

async function main(): Promise<void> {
  const role = parseRole(Bun.argv);
  let config: Config;
  try {
    config = loadConfig(process.env);
    // Serving roles sign sessions: outside production the JWT secret is generated into DATA_DIR.
    if (role !== "migrate") config = withJwtSecret(config);
  } catch (error) {
    fail(explain(error));
  }
  const logger = createLogger(config.logLevel, { role });
  if (role !== "migrate") return serve(role, config, logger);
  try {
    await migrateOnly(config, logger);
  } catch (error) {
    fail(explain(error, config.database.url));
  }
}

await main();
