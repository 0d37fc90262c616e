import type { DatabasePool } from "slonik";
import { readMigrationFiles } from "./db/migrate.ts";
import { appliedMigrationNames } from "./db/queries.ts";

export interface ReadinessReport {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; worker: boolean | "disabled" };
}

const MIGRATION_NAMES = readMigrationFiles().map((f) => f.name);

/**
 * Whether this process can serve traffic: the database answers, every migration on disk is
 * applied, and (when the worker runs in this process) the worker is up. Never throws.
 */
export async function checkReadiness(
  pool: DatabasePool,
  workerRunning?: () => boolean,
): Promise<ReadinessReport> {
  let database = false;
  let migrations = false;
  try {
    const applied = await appliedMigrationNames(pool);
    database = true;
    const set = new Set(applied);
    migrations = MIGRATION_NAMES.every((name) => set.has(name));
  } catch {
    // unreachable database or missing ledger: both leave the flags false
  }
  const worker = workerRunning ? workerRunning() : "disabled";
  return { ready: database && migrations && worker !== false, checks: { database, migrations, worker } };
}
