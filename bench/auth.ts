/**
 * `bun run bench:auth`: requests per second of an API-key-authenticated GET /v1/auth/me against
 * unauthenticated GET /health, on the real server and a throwaway Postgres, in the same run,
 * printed as a ratio. Usage: bun run bench:auth [--seconds=3] [--concurrency=32]
 */
import { formatRow, runLoad } from "./support/load.ts";
import { benchUserKey, startBenchServer } from "./support/server.ts";

const arg = (name: string, fallback: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = arg("seconds", 3);
const CONCURRENCY = arg("concurrency", 32);

const server = await startBenchServer();
try {
  const key = await benchUserKey(server.base);
  const load = (path: string, headers: Record<string, string> = {}) =>
    runLoad({ url: `${server.base}${path}`, headers, concurrency: CONCURRENCY, seconds: SECONDS });
  await load("/health"); // warm-up
  const health = await load("/health");
  const me = await load("/v1/auth/me", { "x-api-key": key });
  console.log(`bench:auth — ${CONCURRENCY} concurrent clients, ${SECONDS}s each`);
  console.log(formatRow("GET /health (no auth)", health));
  console.log(formatRow("GET /v1/auth/me (API key)", me));
  console.log(`ratio me/health: ${(me.rps / health.rps).toFixed(3)}`);
} finally {
  await server.stop();
}
