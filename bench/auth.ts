/**
 * Requests per second of an API-key-authenticated GET /v1/auth/me against unauthenticated
 * GET /health, on the real server (Bun.serve + createApp) and a throwaway Postgres, same run.
 * Usage: bun run bench:auth [--seconds=3] [--concurrency=32]
 */
import { createApp, createFetchHandler } from "../api/app.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createLogger } from "../core/logger.ts";
import { createTestDatabase, stopTestCluster } from "../tests/support/cluster.ts";
import { testConfig } from "../tests/support/config.ts";

const arg = (name: string, fallback: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = arg("seconds", 3);
const CONCURRENCY = arg("concurrency", 32);

/** A bounded concurrent loop: CONCURRENCY workers fetch back to back until time is up. */
async function measure(url: string, headers: Record<string, string> = {}): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.ok) done++;
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed) throw new Error(`${failed} requests to ${url} failed`);
  return done / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const config = testConfig({ LOG_LEVEL: "silent", RATE_LIMIT_ENABLED: "false" });
  const pool = await createDbPool(db.url, { maxPoolSize: 10 });
  const deps = { config, pool, logger: createLogger("silent") };
  const handle = createFetchHandler(createApp(deps), deps);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (r, s) => handle(r, s.requestIP(r)?.address),
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json", ...headers },
      }).then((r) => r.json());
    const session = await post("/v1/auth/register", {
      email: "bench@example.com",
      password: "correct horse battery staple",
    });
    const { key } = await post(
      "/v1/auth/api-keys",
      { name: "bench" },
      { authorization: `Bearer ${session.access_token}` },
    );
    await measure(`${base}/health`); // warm-up
    const health = await measure(`${base}/health`);
    const me = await measure(`${base}/v1/auth/me`, { "x-api-key": key });
    console.log(`concurrency ${CONCURRENCY}, ${SECONDS}s each`);
    console.log(`GET /health (no auth)        ${Math.round(health)} req/s`);
    console.log(`GET /v1/auth/me (API key)    ${Math.round(me)} req/s`);
    console.log(`ratio me/health              ${(me / health).toFixed(3)}`);
  } finally {
    server.stop(true);
    await pool.end();
    await db.drop();
    await stopTestCluster();
  }
}

await main();
