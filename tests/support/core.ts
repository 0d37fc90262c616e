import type { DatabasePool } from "slonik";
import { llmFromConfig } from "../../boot/compose.ts";
import { type CoreDeps, createCore, type Deps } from "../../core/create-core.ts";
import { createLogger } from "../../core/logger.ts";
import { testConfig } from "./config.ts";

export interface TestCoreOptions extends Partial<Pick<CoreDeps, "llm" | "logger" | "workerRunning">> {
  /** Environment variables over the test defaults (see testConfig). */
  env?: Record<string, string>;
}

/**
 * The deps every adapter receives, on the test file's own pool: `createCore` wired exactly as the
 * composition root wires it (boot/compose.ts), with a test config, the configured LLM client
 * (pass `llm` for the fake one) and a silent logger unless given.
 */
export function createTestDeps(pool: DatabasePool, options: TestCoreOptions = {}): Deps {
  const config = testConfig(options.env);
  const logger = options.logger ?? createLogger("silent");
  const llm = options.llm ?? llmFromConfig(config);
  const core = createCore({ config, pool, llm, logger, workerRunning: options.workerRunning });
  return { core, config, logger };
}
