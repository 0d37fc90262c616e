import { afterAll, beforeAll } from "bun:test";
import type { DatabasePool } from "slonik";
import { createDbPool } from "../../core/db/pool.ts";
import { createTestDatabase } from "./cluster.ts";

export interface TestDatabase {
  /** Connection URL of this test file's own database. */
  readonly url: string;
  readonly pool: DatabasePool;
  /**
   * Runs `stop` after the file's tests but before its pool ends and its database is dropped.
   * Whatever uses the database (a worker, a subprocess) must stop here, not in a later
   * `afterAll`: bun runs `afterAll` hooks in declaration order, so those run after the drop.
   */
  beforeDrop(stop: () => unknown): void;
}

const databases = new WeakMap<DatabasePool, TestDatabase>();

/** The test database behind a pool made by `useTestDatabase` (undefined for any other pool). */
export const testDatabaseOf = (pool: DatabasePool): TestDatabase | undefined => databases.get(pool);

/**
 * Gives the calling test file its own migrated database (cloned from the run's template) and a
 * slonik pool on it; both are dropped after the file's tests.
 */
export function useTestDatabase(): TestDatabase {
  let url = "";
  let pool: DatabasePool | undefined;
  let drop: (() => Promise<void>) | undefined;
  const stops: (() => unknown)[] = [];
  const handle: TestDatabase = {
    beforeDrop: (stop) => {
      stops.push(stop);
    },
    get url() {
      return url;
    },
    get pool() {
      if (!pool) throw new Error("useTestDatabase: the pool exists only inside tests (after beforeAll)");
      return pool;
    },
  };
  beforeAll(async () => {
    const db = await createTestDatabase();
    url = db.url;
    drop = db.drop;
    pool = await createDbPool(url, { maxPoolSize: 10 });
    databases.set(pool, handle);
  }, 60_000); // the first file to run also boots the cluster and builds the template
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    await pool?.end();
    await drop?.();
  }, 60_000);
  return handle;
}
