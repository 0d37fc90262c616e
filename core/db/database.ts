import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { startEmbeddedPostgres } from "./embedded.ts";

/** Where the database is, and how to let go of it when the process ends. */
export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  /** Stops the embedded server; a no-op for an external DATABASE_URL. */
  stop(): Promise<void>;
}

/** DATABASE_URL when set (never starts a server); otherwise an embedded Postgres under DATA_DIR. */
export async function openDatabase(config: Config, logger: Logger): Promise<DatabaseHandle> {
  if (config.database.url) return { url: config.database.url, embedded: false, stop: async () => {} };
  const started = performance.now();
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.database.embeddedPort,
    logger,
  });
  logger.info("embedded postgres started", {
    port: server.port,
    data_dir: server.dataDir,
    ms: Math.round(performance.now() - started),
  });
  return { url: server.url, embedded: true, stop: server.stop };
}

/** Runs `fn` with a database URL, stopping an embedded server afterwards (for one-shot commands). */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(config, logger);
  try {
    return await fn(db.url);
  } finally {
    await db.stop();
  }
}

/** A one-line reason for a connection failure, without credentials. */
export function describeConnectionError(url: string, error: unknown): string {
  const target = (() => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      return "the configured database";
    }
  })();
  const code = (error as { code?: string }).code;
  const reason =
    code === "ECONNREFUSED"
      ? "connection refused (is Postgres running there?)"
      : code === "ENOTFOUND"
        ? "host not found"
        : code === "28P01"
          ? "password authentication failed"
          : code === "3D000"
            ? "database does not exist"
            : (error as Error).message;
  return `cannot reach the database at ${target}: ${reason}`;
}
