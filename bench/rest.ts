/**
 * `bun run bench:rest`: GET /v1/playbooks/{id} on the 359-bullet fixture (130 KB; the content limit
 * is raised for the run) and POST /v1/playbooks/{id}/outcomes, with 64 concurrent clients each,
 * beside a bare `SELECT 1` route on the same server in the same run.
 * Usage: bun run bench:rest [--seconds=5] [--concurrency=64]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatRow, runLoad } from "./support/load.ts";
import { benchUserKey, startBenchServer } from "./support/server.ts";

const arg = (name: string, fallback: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = arg("seconds", 5);
const CONCURRENCY = arg("concurrency", 64);
const fixture = readFileSync(
  path.resolve(import.meta.dir, "../tests/fixtures/appworld_online_trained_playbook.txt"),
  "utf8",
);

const server = await startBenchServer({
  PLAYBOOK_MAX_BYTES: String(256 * 1024),
  EVOLUTION_OUTCOME_THRESHOLD: "10000", // measure the write path, not evolutions
  // The rate-limit statement stays on the write path, as in production, with a limit the run cannot reach.
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_OUTCOMES_PER_HOUR: "100000000",
});
try {
  const key = await benchUserKey(server.base);
  const headers = { "x-api-key": key, "content-type": "application/json" };
  const created = await fetch(`${server.base}/v1/playbooks`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "AppWorld trained", content: fixture }),
  }).then((r) => r.json());
  if (!created.id) throw new Error(`could not create the fixture playbook: ${JSON.stringify(created)}`);
  const load = (url: string, extra: Partial<Parameters<typeof runLoad>[0]> = {}) =>
    runLoad({ url, concurrency: CONCURRENCY, seconds: SECONDS, ...extra });

  await load(`${server.base}/bench/select-1`, { seconds: 1 }); // warm-up
  const baseline = await load(`${server.base}/bench/select-1`);
  const get = await load(`${server.base}/v1/playbooks/${created.id}`, { headers });
  const post = await load(`${server.base}/v1/playbooks/${created.id}/outcomes`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      task_description: "Sync contacts across apps ({{n}})",
      outcome: "success",
      reasoning_trace: "Looked up contacts, matched by email and phone, added missing friends.",
      bullets_used: ["shr-00009", "shr-00071"],
    }),
  });
  console.log(
    `bench:rest — ${CONCURRENCY} concurrent clients, ${SECONDS}s per route, 359-bullet playbook (${fixture.length} bytes)`,
  );
  console.log(formatRow("GET /bench/select-1 (baseline)", baseline));
  console.log(formatRow("GET /v1/playbooks/{id}", get, baseline));
  console.log(formatRow("POST /v1/playbooks/{id}/outcomes", post, baseline));
} finally {
  await server.stop();
}
