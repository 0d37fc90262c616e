import type { DatabasePool } from "slonik";
import { createApp, createFetchHandler } from "../../api/app.ts";
import { serveHttp } from "../../api/serve.ts";
import type { Config } from "../../core/config.ts";
import type { CoreDeps, Deps } from "../../core/create-core.ts";
import { createLogger, type Logger, type LogLevel } from "../../core/logger.ts";
import { watchDatabase } from "../../core/metrics/index.ts";
import { createTestDeps } from "./core.ts";

export interface TestApp {
  /** What the app's adapters received: the core (use-cases on the test pool), config, logger. */
  deps: Deps;
  config: Config;
  logger: Logger;
  /** Every log line the app printed, as parsed JSON (for "no secrets in logs" checks). */
  logs: Array<Record<string, unknown>>;
  /** Sends a request through the real fetch handler (request ids, size limits, error mapping). */
  fetch(path: string, init?: RequestInit & { json?: unknown; ip?: string }): Promise<Response>;
  /** Serves the same handler over real HTTP on a free port (for what only a socket shows). */
  listen(): { url: string; stop(): Promise<void> };
}

/** The real application on a test database, driven in-process over web Requests. */
export function createTestApp(
  pool: DatabasePool,
  env: Record<string, string> = {},
  extra: Partial<Pick<CoreDeps, "llm" | "workerRunning" | "notifications">> & { adminDir?: string } = {},
): TestApp {
  const logs: Array<Record<string, unknown>> = [];
  const level = (env.LOG_LEVEL as LogLevel | undefined) ?? "debug";
  const logger = createLogger(level, {}, (line) => logs.push(JSON.parse(line)));
  const { adminDir, ...coreExtra } = extra;
  const deps = createTestDeps(pool, { env, logger, ...coreExtra });
  const { config } = deps;
  watchDatabase("api", pool, 10); // as compose does: /metrics reports this pool and the queue
  const handler = createFetchHandler(createApp(deps, { adminDir }), deps);
  return {
    deps,
    config,
    logger,
    logs,
    listen: () => {
      const server = serveHttp(handler, config, { hostname: "127.0.0.1", port: 0 });
      return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
    },
    fetch: (path, init = {}) => {
      const { json, ip, ...rest } = init;
      const headers = new Headers(rest.headers);
      let body = rest.body;
      if (json !== undefined) {
        headers.set("content-type", "application/json");
        body = JSON.stringify(json);
      }
      return handler(new Request(`http://localhost${path}`, { ...rest, headers, body }), ip);
    },
  };
}
