import type { DatabasePool } from "slonik";
import { llmFromConfig } from "../../boot/compose.ts";
import { type CoreDeps, createCore, type Deps } from "../../core/create-core.ts";
import { createNotifications, type Notifications } from "../../core/db/notifications.ts";
import { createLogger } from "../../core/logger.ts";
import { testConfig } from "./config.ts";
import { testDatabaseOf } from "./db.ts";

export interface TestCoreOptions
  extends Partial<Pick<CoreDeps, "llm" | "logger" | "workerRunning" | "notifications">> {
  /** Environment variables over the test defaults (see testConfig). */
  env?: Record<string, string>;
}

/**
 * A new LISTEN/NOTIFY connection on the pool's test database (another "process"), closed before
 * the database is dropped. Lazy like the real one: only a subscription (a JWT check) opens it. A
 * pool of no test database (the OpenAPI export) gets one that never connects: checks ask the pool.
 */
export function testNotifications(pool: DatabasePool): Notifications {
  const db = testDatabaseOf(pool);
  const notifications = createNotifications({ url: db?.url, logger: createLogger("silent") });
  db?.beforeDrop(() => notifications.close());
  return notifications;
}

const shared = new WeakMap<DatabasePool, Notifications>();

/** The connection every core of a test file shares unless a test asks for its own. */
function sharedNotifications(pool: DatabasePool): Notifications {
  const existing = shared.get(pool);
  if (existing) return existing;
  const created = testNotifications(pool);
  shared.set(pool, created);
  return created;
}

/**
 * The deps every adapter receives, on the test file's own pool: `createCore` wired exactly as the
 * composition root wires it (boot/compose.ts), with a test config, the configured LLM client
 * (pass `llm` for the fake one), the test file's notifications connection (pass
 * `notifications: testNotifications(pool)` for a core that acts as another process) and a silent
 * logger unless given.
 */
export function createTestDeps(pool: DatabasePool, options: TestCoreOptions = {}): Deps {
  const config = testConfig(options.env);
  const logger = options.logger ?? createLogger("silent");
  const llm = options.llm ?? llmFromConfig(config);
  const notifications = options.notifications ?? sharedNotifications(pool);
  const core = createCore({ config, pool, llm, logger, notifications, workerRunning: options.workerRunning });
  return { core, config, logger };
}
