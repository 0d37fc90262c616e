import type { Config } from "../core/config.ts";
import { createCore, type Deps } from "../core/create-core.ts";
import { createNotifications, type Notifications } from "../core/db/notifications.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createLlmClient, type LlmClient } from "../core/llm/index.ts";
import type { Logger } from "../core/logger.ts";
import { watchDatabase } from "../core/metrics/index.ts";

/** The two halves a process can run; each gets its own pool, so neither can starve the other. */
export type Half = "api" | "worker";

/**
 * Slonik connections per half: the API's is DATABASE_POOL_SIZE; the worker's lets every running
 * job hold its playbook lock connection and still query (two per job), plus the heartbeat.
 */
export function poolSizeFor(half: Half, config: Config): number {
  return half === "api" ? config.database.poolSize : config.worker.concurrency * 2 + 2;
}

/** The configured OpenAI-compatible provider (a client whose calls fail "not configured" without one). */
export function llmFromConfig(config: Config): LlmClient {
  return createLlmClient({
    baseURL: config.llm.baseURL,
    apiKey: config.llm.apiKey,
    models: config.llm.models,
    timeoutMs: config.llm.timeoutMs,
    maxAttempts: config.llm.maxAttempts,
  });
}

export interface ComposeOptions {
  logger: Logger;
  /** Replaces the configured provider (tests: a client pointed at the fake LLM server). */
  llm?: LlmClient;
  /** Readiness includes the worker of this process (set for the API half when one runs inline). */
  workerRunning?: () => boolean;
  /**
   * The process's LISTEN/NOTIFY connection, when several halves share it (boot/run.ts); without
   * one, the composition opens its own (lazily: only once something subscribes) and closes it.
   */
  notifications?: Notifications;
}

/** What adapters receive, and how to let go of the pool behind it. */
export interface Composition {
  deps: Deps;
  close(): Promise<void>;
}

/**
 * The one place a process is wired: config → pool → LLM client → logger → notifications → `createCore`. REST
 * routes, MCP tools and worker tasks all receive the `deps` built here; tests build theirs with
 * the same function (or `createCore` on their own pool).
 */
export async function compose(
  config: Config,
  databaseUrl: string,
  half: Half,
  options: ComposeOptions,
): Promise<Composition> {
  const maxPoolSize = poolSizeFor(half, config);
  const pool = await createDbPool(databaseUrl, {
    maxPoolSize,
    applicationName: `ace-${half}`,
    // The API half keeps no session state on a connection (core/db/pool.ts).
    resetOnRelease: half !== "api",
  });
  const llm = options.llm ?? llmFromConfig(config);
  const { logger, workerRunning } = options;
  const notifications = options.notifications ?? createNotifications({ url: databaseUrl, logger });
  const core = createCore({ config, pool, llm, logger, notifications, workerRunning });
  // /metrics reads this pool's usage, and the queue's depth through it, at each scrape.
  const unwatch = watchDatabase(half, pool, maxPoolSize);
  const close = async () => {
    unwatch();
    if (!options.notifications) await notifications.close();
    await pool.end();
  };
  return { deps: { core, config, logger }, close };
}
