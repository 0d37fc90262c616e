import { sql } from "slonik";
import { z } from "zod";
import { freePort } from "../core/db/embedded.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createTestDatabase, stopTestCluster } from "../tests/support/cluster.ts";
import { type Started, startPlatform } from "../tests/support/process.ts";

/**
 * What a scaled-out deployment holds open in Postgres: starts 2 `--role=api` and 2
 * `--role=worker` processes (the real entry point) on one database, and prints the connections
 * each kind holds (pg_stat_activity by application_name), LISTENs included — idle after start,
 * then after a burst of requests on both APIs and a few evolutions (instant fake LLM).
 * `bun run bench:connections`. Figures for docs/OPERATIONS.md.
 */

const TOKEN = "bench-metrics-token-0123456789";
const Row = z.object({
  application_name: z.string(),
  state: z.string().nullable(),
  listening: z.boolean(),
  n: z.number(),
});

const db = await createTestDatabase();
const probe = await createDbPool(db.url, { maxPoolSize: 1, applicationName: "bench-probe" });
const { startFakeLlm } = await import("../tests/support/fake-llm.ts");
const fake = await startFakeLlm({ instant: true });
const base = {
  DATABASE_URL: db.url,
  HOST: "127.0.0.1",
  JWT_SECRET_KEY: "bench-secret-bench-secret-bench-secret-0123",
  METRICS_TOKEN: TOKEN,
  OPENAI_BASE_URL: fake.baseURL,
  RATE_LIMIT_ENABLED: "false",
  PASSWORD_HASH_MEMORY_KIB: "4096",
  PASSWORD_HASH_TIME_COST: "1",
  EVOLUTION_OUTCOME_THRESHOLD: "3",
  DATA_DIR: "/tmp/ace-bench-connections",
};
const processes: Started[] = [];
const apis: string[] = [];
for (let i = 0; i < 2; i++) {
  const port = await freePort();
  const api = startPlatform({ ...base, PORT: String(port) }, ["--role=api"]);
  processes.push(api);
  apis.push(`http://127.0.0.1:${port}`);
  await api.waitFor("ready", 30_000);
}
for (let i = 0; i < 2; i++) {
  const worker = startPlatform({ ...base, METRICS_PORT: String(await freePort()) }, ["--role=worker"]);
  processes.push(worker);
  await worker.waitFor("ready", 30_000);
}

async function snapshot(label: string): Promise<void> {
  const rows = await probe.any(sql.type(Row)`
    select application_name, state, query ilike 'listen%' as listening, count(*)::int as n
    from pg_stat_activity
    where datname = current_database() and application_name like 'ace-%'
    group by 1, 2, 3 order by 1, 2, 3`);
  console.log(`\n${label}`);
  for (const r of rows) {
    console.log(
      `  ${r.application_name.padEnd(12)} ${(r.state ?? "-").padEnd(22)} ${r.listening ? "LISTEN " : "       "} ${r.n}`,
    );
  }
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  console.log(`  total ace-* connections: ${total}`);
}

await Bun.sleep(1_000); // let graphile-worker's listeners and cron settle
await snapshot("idle after start (2 API + 2 worker processes)");

// A burst: sign up, create a playbook, then 100 reads per API with 20 in flight, and outcomes
// that cross the threshold a few times (evolutions on the fake LLM).
const signUp = await fetch(`${apis[0]}/v1/auth/register`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    email: `bench-${Date.now()}@example.com`,
    password: "correct horse battery staple",
  }),
});
const { access_token } = (await signUp.json()) as { access_token: string };
const auth = { authorization: `Bearer ${access_token}`, "content-type": "application/json" };
const content = "## STRATEGIES & INSIGHTS\n[str-00001] helpful=0 harmful=0 :: Read the test first.\n";
const created = await fetch(`${apis[0]}/v1/playbooks`, {
  method: "POST",
  headers: auth,
  body: JSON.stringify({ name: "bench", content }),
});
const { id } = (await created.json()) as { id: string };
const burst = apis.flatMap((api) =>
  Array.from({ length: 5 }, async () => {
    for (let i = 0; i < 20; i++) await fetch(`${api}/v1/playbooks/${id}`, { headers: auth });
  }),
);
const outcomes = Array.from({ length: 9 }, (_, i) =>
  fetch(`${apis[i % 2]}/v1/playbooks/${id}/outcomes`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ task_description: `task ${i}`, outcome: "success" }),
  }),
);
await Promise.all([...burst, ...outcomes]);
await Bun.sleep(2_000);
await snapshot("after a burst of 200 reads, 9 outcomes and the evolutions they queued");

for (const p of processes) p.proc.kill("SIGTERM");
await Promise.all(processes.map((p) => p.proc.exited));
await probe.end();
await fake.stop();
await db.drop();
await stopTestCluster();
