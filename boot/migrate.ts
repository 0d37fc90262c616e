import { applyMigrations, type MigrationFile, readMigrationFiles } from "../core/db/migrate.ts";
import { migrateQueueSchema } from "../worker/queue-schema.ts";

/**
 * Brings a database up to date: our `sql/` migrations, then graphile-worker's schema (the API
 * enqueues jobs with `graphile_worker.add_job`, so every role needs both). Returns the names of
 * our migrations applied. Throws MigrationError when one is refused.
 */
export async function migrate(url: string, files: MigrationFile[] = readMigrationFiles()): Promise<string[]> {
  const applied = await applyMigrations(url, files);
  await migrateQueueSchema(url);
  return applied;
}
