import { runMigrations, Logger as WorkerLogger } from "graphile-worker";

/**
 * Installs or upgrades graphile-worker's own schema (`graphile_worker.*`), which keeps its own
 * ledger and lock. Its logger is muted to keep start-up output ours.
 */
export async function migrateQueueSchema(url: string): Promise<void> {
  await runMigrations({ connectionString: url, logger: new WorkerLogger(() => () => {}) });
}
