import { Elysia } from "elysia";
import { type DatabasePool, sql } from "slonik";
import { createApp, createFetchHandler } from "../../api/app.ts";
import { serveHttp } from "../../api/serve.ts";
import { createNotifications } from "../../core/db/notifications.ts";
import { createDbPool } from "../../core/db/pool.ts";
import { createLogger } from "../../core/logger.ts";
import { createTestDatabase, stopTestCluster } from "../../tests/support/cluster.ts";
import { createTestDeps } from "../../tests/support/core.ts";

export interface BenchServer {
  base: string;
  pool: DatabasePool;
  dbUrl: string;
  stop(): Promise<void>;
}

/**
 * The real application on a throwaway Postgres (the test cluster), served by Bun.serve on a
 * loopback port, plus `/bench/select-1`: a bare route doing one `SELECT 1` through the same pool,
 * the baseline every figure is compared with.
 */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const db = await createTestDatabase();
  const pool = await createDbPool(db.url, { maxPoolSize: 20, resetOnRelease: false }); // as the API half
  const notifications = createNotifications({ url: db.url, logger: createLogger("silent") });
  const benchEnv = { LOG_LEVEL: "silent", RATE_LIMIT_ENABLED: "false", ...env };
  const deps = createTestDeps(pool, { env: benchEnv, notifications });
  await deps.core.playbooks.seedStarters();
  const app = new Elysia()
    .get("/bench/select-1", async () => ({ one: await pool.oneFirst(sql.unsafe`select 1 as one`) }))
    .use(createApp(deps));
  const handle = createFetchHandler(app, deps);
  const server = serveHttp(handle, deps.config, { hostname: "127.0.0.1", port: 0 });
  return {
    base: `http://127.0.0.1:${server.port}`,
    pool,
    dbUrl: db.url,
    stop: async () => {
      server.stop(true);
      await notifications.close();
      await pool.end();
      await db.drop();
      await stopTestCluster();
    },
  };
}

/** Signs up a user and returns an API key with every scope. */
export async function benchUserKey(
  base: string,
  email = `bench-${crypto.randomUUID()}@example.com`,
): Promise<string> {
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const session = await post("/v1/auth/register", { email, password: "correct horse battery staple" });
  const created = await post(
    "/v1/auth/api-keys",
    { name: "bench", scopes: ["read", "write", "evolve"] },
    { authorization: `Bearer ${session.access_token}` },
  );
  return created.key as string;
}
