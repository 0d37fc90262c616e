import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import pg from "pg";
import { migrate } from "../../boot/migrate.ts";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "../../core/db/embedded.ts";

/**
 * The test suite's Postgres: one cluster per `bun test` run (on tmpfs with durability off when
 * /dev/shm exists), or the server at TEST_DATABASE_URL. One migrated template database is built
 * per run; each test file gets its own clone (`createTestDatabase`) and drops it afterwards.
 */

let cluster: Promise<{ adminUrl: string; server?: EmbeddedPostgres; template: string }> | undefined;

const FAST_SETTINGS = {
  fsync: "off",
  synchronous_commit: "off",
  full_page_writes: "off",
  max_connections: "300",
};

/** The benches' --statements (bench/support/statements.ts): per-statement figures, planning included. */
const statementStats = (): Record<string, string> =>
  process.env.ACE_PG_STAT_STATEMENTS === "1"
    ? {
        shared_preload_libraries: "pg_stat_statements",
        "pg_stat_statements.track": "all",
        "pg_stat_statements.track_planning": "on",
      }
    : {};

async function boot() {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let server: EmbeddedPostgres | undefined;
  if (!adminUrl) {
    const base = process.platform === "linux" ? "/dev/shm" : (process.env.TMPDIR ?? "/tmp");
    const dataDir = `${base}/ace-test-${process.pid}-${randomBytes(3).toString("hex")}`;
    server = await startEmbeddedPostgres({ dataDir, settings: { ...FAST_SETTINGS, ...statementStats() } });
    adminUrl = server.url;
    const stop = server.stop;
    server.stop = async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(server!.dataDir, { recursive: true, force: true });
    };
  }
  const template = `ace_tpl_${process.pid}`;
  await admin(adminUrl, `drop database if exists ${template} with (force)`);
  await admin(adminUrl, `create database ${template}`);
  await migrate(withDatabase(adminUrl, template));
  return { adminUrl, server, template };
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function ensureCluster() {
  cluster ??= boot();
  return cluster;
}

/** A fresh database cloned from the migrated template; returns its URL and a drop function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { adminUrl, template } = await ensureCluster();
  const name = `ace_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, `create database ${name} template ${template} strategy file_copy`);
  return {
    url: withDatabase(adminUrl, name),
    drop: () => admin(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

/** Creates an empty database (no migrations) for tests of the migration runner itself. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { adminUrl } = await ensureCluster();
  const name = `ace_e_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, `create database ${name}`);
  return {
    url: withDatabase(adminUrl, name),
    drop: () => admin(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

/** Stops the test cluster (or drops the template on an external server). Safe to call twice. */
export async function stopTestCluster(): Promise<void> {
  if (!cluster) return;
  const { adminUrl, server, template } = await cluster;
  cluster = undefined;
  if (server) await server.stop();
  else await admin(adminUrl, `drop database if exists ${template} with (force)`);
}
