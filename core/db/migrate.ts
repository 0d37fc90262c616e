import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * Applies `sql/NNNN_name.sql` in order: one transaction per file, its checksum recorded in
 * `schema_migrations`. A session advisory lock serialises concurrent starts. An applied file
 * whose text changed is refused: the schema only moves forward through new files.
 * graphile-worker's own schema is installed by the entry point's migrate step, beside this one.
 * Uses a plain `pg` client because a migration file holds many statements, which only the
 * simple query protocol accepts (slonik always sends parameterised queries).
 */

export const SQL_DIR = path.resolve(import.meta.dir, "../../sql");
const LOCK_KEY = 7_242_031_001; // arbitrary, unique to this runner

export interface MigrationFile {
  name: string;
  checksum: string;
  text: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

const checksum = (text: string) => createHash("sha256").update(text).digest("hex");

/** The migration files on disk, sorted by their number. */
export function readMigrationFiles(dir = SQL_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(dir, name), "utf8");
      return { name, checksum: checksum(text), text };
    });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Applied migration names; throws MigrationError when an applied file was edited since. */
async function verifiedApplied(client: pg.Client, files: MigrationFile[]): Promise<Set<string>> {
  const ledger = await client.query("select to_regclass('schema_migrations') is not null as exists");
  if (!ledger.rows[0].exists) return new Set();
  const { rows } = await client.query<{ name: string; checksum: string }>(
    "select name, checksum from schema_migrations order by name",
  );
  for (const row of rows) {
    const file = files.find((f) => f.name === row.name);
    if (file && file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.name} was edited after it was applied; restore it and put the change in a new file`,
      );
    }
  }
  return new Set(rows.map((r) => r.name));
}

/** Applies our pending migrations; returns the names of those applied. */
export async function applyMigrations(url: string, files = readMigrationFiles()): Promise<string[]> {
  return withClient(url, async (client) => {
    await client.query("select pg_advisory_lock($1)", [LOCK_KEY]);
    try {
      await client.query(
        "create table if not exists schema_migrations (name text primary key, checksum text not null, applied_at timestamptz not null default now())",
      );
      const done = await verifiedApplied(client, files);
      const pending = files.filter((f) => !done.has(f.name));
      for (const file of pending) await applyOne(client, file);
      return pending.map((f) => f.name);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  });
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  await client.query("begin");
  try {
    await client.query(file.text);
    await client.query("insert into schema_migrations (name, checksum) values ($1, $2)", [
      file.name,
      file.checksum,
    ]);
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`);
  }
}
