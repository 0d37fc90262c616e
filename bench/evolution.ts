/**
 * `bun run bench:evolution`:
 *  (a) pickup latency: from the committing outcome write (the report that reaches the threshold)
 *      to the `evolve_playbook` task starting, over N sequential triggers (default 200);
 *  (b) throughput: evolutions per second across 100 playbooks (5 outcomes each) with an instant
 *      fake LLM (a real HTTP server) at worker concurrency 4.
 * Targets: pickup p50 ≤ 50 ms, p99 ≤ 250 ms.  Usage: bun run bench:evolution [--triggers=200]
 */
import { sql } from "slonik";
import { z } from "zod";
import { createCore } from "../core/create-core.ts";
import { createNotifications } from "../core/db/notifications.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createLlmClient } from "../core/llm/index.ts";
import { createLogger } from "../core/logger.ts";
import { reportOutcome } from "../core/outcomes/index.ts";
import { createPlaybook } from "../core/playbooks/index.ts";
import { createTestDatabase, stopTestCluster } from "../tests/support/cluster.ts";
import { testConfig } from "../tests/support/config.ts";
import { FAILURE_BACKOFF, SAMPLE_PLAYBOOK } from "../tests/support/evolution.ts";
import { createUser } from "../tests/support/factories.ts";
import { startFakeLlm } from "../tests/support/fake-llm.ts";
import { startWorker } from "../worker/runner.ts";
import { createTaskList } from "../worker/tasks.ts";

const TRIGGERS = Number(Bun.argv.find((a) => a.startsWith("--triggers="))?.split("=")[1] ?? 200);
const PLAYBOOKS = 100;
const limits = { reasoningTraceBytes: 10240, notesBytes: 2048 };

const db = await createTestDatabase();
const fake = await startFakeLlm({ instant: true });
const config = testConfig({ WORKER_CONCURRENCY: "4", EVOLUTION_OUTCOME_THRESHOLD: "5" });
const pool = await createDbPool(db.url, { maxPoolSize: 20 });
const logger = createLogger("silent");
const llm = createLlmClient({
  baseURL: fake.baseURL,
  apiKey: "bench",
  models: config.llm.models,
  timeoutMs: 10_000,
  maxAttempts: 1,
});
const started = new Map<string, number>();
// The worker never checks access tokens, so this never connects (it would only on a subscription).
const notifications = createNotifications({ url: db.url, logger });
const deps = { core: createCore({ config, pool, llm, logger, notifications }), config, logger };
const base = createTaskList(deps);
const evolve = base.evolve_playbook!;
const tasks = {
  ...base,
  evolve_playbook: async (payload: unknown, helpers: Parameters<typeof evolve>[1]) => {
    started.set((payload as { playbook_id: string }).playbook_id, performance.now());
    return evolve(payload, helpers);
  },
};
const worker = await startWorker(db.url, deps, { tasks, pollIntervalMs: 1_000 });
const user = await createUser(pool);
const evolution = { threshold: 5, maxAttempts: 3, failureBackoff: FAILURE_BACKOFF };

async function playbookWithPending(pending: number): Promise<string> {
  const p = await createPlaybook(
    pool,
    user,
    { name: "bench", content: SAMPLE_PLAYBOOK },
    { maxBytes: 102400 },
  );
  for (let i = 0; i < pending; i++) {
    await reportOutcome(pool, user, p.id, { task_description: `t${i}`, outcome: "success" }, { limits });
  }
  return p.id;
}

const waitFor = async (check: () => boolean) => {
  while (!check()) await Bun.sleep(0.2);
};

try {
  await Bun.sleep(300); // the worker's LISTEN connection is up
  const latencies: number[] = [];
  const reportTimes: number[] = [];
  for (let i = 0; i < TRIGGERS; i++) {
    const id = await playbookWithPending(4);
    // The commit happens inside the call and the task may start before the call returns, so the
    // pickup is timed from the start of the 5th report: an upper bound that includes the
    // report's own transaction (printed separately).
    const reported = performance.now();
    await reportOutcome(
      pool,
      user,
      id,
      { task_description: "fifth", outcome: "failure" },
      { limits, evolution },
    );
    reportTimes.push(performance.now() - reported);
    await waitFor(() => started.has(id));
    latencies.push((started.get(id) ?? reported) - reported);
  }
  const quantile = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
  };
  const q = quantile(latencies);
  const r = quantile(reportTimes);
  console.log(
    `(a) pickup latency (start of the committing report → task start) over ${TRIGGERS} triggers: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms` +
      ` (the report call itself: p50 ${r(0.5)} ms, p99 ${r(0.99)} ms)`,
  );

  const ids: string[] = [];
  for (let i = 0; i < PLAYBOOKS; i++) ids.push(await playbookWithPending(4));
  const callsBefore = fake.requests.length;
  const t0 = performance.now();
  await Promise.all(
    ids.map((id) =>
      reportOutcome(pool, user, id, { task_description: "fifth", outcome: "success" }, { limits, evolution }),
    ),
  );
  const count = () =>
    pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from evolution_jobs where playbook_id = any(${sql.array(ids, "uuid")}) and status = 'completed'`);
  while ((await count()) < PLAYBOOKS) await Bun.sleep(20);
  const seconds = (performance.now() - t0) / 1000;
  const llmCalls = fake.requests.length - callsBefore;
  console.log(
    `(b) ${PLAYBOOKS} evolutions (5 outcomes each, 6 LLM calls each) in ${seconds.toFixed(2)} s: ` +
      `${(PLAYBOOKS / seconds).toFixed(1)} evolutions/s at worker concurrency 4 (${llmCalls} fake LLM calls)`,
  );
} finally {
  await worker.stop();
  await pool.end();
  await fake.stop();
  await db.drop();
  await stopTestCluster();
}
