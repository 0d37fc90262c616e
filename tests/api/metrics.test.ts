import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { serveMetricsListener } from "../../api/metrics.ts";
import { type Composition, compose } from "../../boot/compose.ts";
import { createLogger } from "../../core/logger.ts";
import { startWorker, type WorkerHandle } from "../../worker/runner.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, signUp } from "../support/auth.ts";
import { testConfig } from "../support/config.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually, jobsOf, SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { type FakeLlm, fakeLlmClient, reply, startFakeLlm } from "../support/fake-llm.ts";
import { parseMetrics, type Sample, sampleOf } from "../support/metrics.ts";

const db = useTestDatabase();
const TOKEN = "metrics-token-0123456789abcdef";
const env = { METRICS_TOKEN: TOKEN, RATE_LIMIT_LOGIN_PER_MINUTE: "2", EVOLUTION_MAX_ATTEMPTS: "1" };
const MODEL = testConfig().llm.models.reflector;

let app: TestApp;
let fake: FakeLlm;
let workerHalf: Composition;
let worker: WorkerHandle;

beforeAll(async () => {
  fake = await startFakeLlm({ instant: true });
  const llm = fakeLlmClient(fake);
  app = createTestApp(db.pool, env, { llm });
  workerHalf = await compose(testConfig(env), db.url, "worker", { logger: createLogger("silent"), llm });
  worker = await startWorker(db.url, workerHalf.deps, { pollIntervalMs: 50 });
}, 30_000);

db.beforeDrop(async () => {
  await worker?.stop();
  await workerHalf?.close();
  await fake?.stop();
});

const scrape = async (target = app) => {
  const response = await target.fetch("/metrics", { headers: bearer(TOKEN) });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain");
  return response.text();
};

describe("GET /metrics after real traffic and evolutions", () => {
  // Counters are per process and other test files run in this one: compare with a scrape taken
  // before the traffic. Gauges are read as they are.
  let before: Sample[] = [];
  let after: Sample[] = [];
  let text = "";
  const grew = (name: string, labels: Record<string, string>) =>
    (sampleOf(after, name, labels) ?? 0) - (sampleOf(before, name, labels) ?? 0);
  let playbookId = "";
  let userId = "";

  beforeAll(async () => {
    before = parseMetrics(await scrape());
    const session = await signUp(app);
    userId = session.user.id;
    const auth = bearer(session.access_token);
    const created = await app.fetch("/v1/playbooks", {
      method: "POST",
      headers: auth,
      json: { name: "metered", content: SAMPLE_PLAYBOOK },
    });
    playbookId = ((await created.json()) as { id: string }).id;
    expect((await app.fetch(`/v1/playbooks/${playbookId}`, { headers: auth })).status).toBe(200);
    expect((await app.fetch(`/v1/nothing-here/${crypto.randomUUID()}`)).status).toBe(404);
    // The first evolution (queued by the 5th outcome) meets a provider error and fails for good.
    fake.script(reply.status(400, { message: "model is on fire" }));
    for (let i = 0; i < 5; i++) {
      const outcome = i % 2 ? "failure" : "success";
      const response = await app.fetch(`/v1/playbooks/${playbookId}/outcomes`, {
        method: "POST",
        headers: auth,
        json: { task_description: `task ${i}`, outcome, reasoning_trace: "secret-trace" },
      });
      expect(response.status).toBe(201);
    }
    await eventually(async () => (await jobsOf(db.pool, playbookId)).some((j) => j.status === "failed"));
    const manual = await app.fetch(`/v1/playbooks/${playbookId}/evolutions`, {
      method: "POST",
      headers: auth,
    });
    expect(manual.status).toBe(202);
    await eventually(async () => (await jobsOf(db.pool, playbookId)).some((j) => j.status === "completed"));
    // Authentication failures and a rate-limit refusal (the limit is 2 sign-ins per minute per IP).
    expect((await app.fetch("/v1/playbooks", { headers: bearer("not-a-jwt") })).status).toBe(401);
    const ip = freshIp();
    const email = session.user.email;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const wrong = { email, password: `${PASSWORD}-wrong` };
      statuses.push((await app.fetch("/v1/auth/login", { method: "POST", json: wrong, ip })).status);
    }
    expect(statuses).toEqual([401, 401, 429]);
    // Queue depth: a job for a task no worker serves waits; one due in an hour is scheduled.
    await db.pool.query(sql.unsafe`
      select graphile_worker.add_job('not_served_here', '{}'::json, run_at => now() - interval '2 minutes')`);
    await db.pool.query(sql.unsafe`
      select graphile_worker.add_job('not_served_here', '{}'::json, run_at => now() + interval '1 hour')`);
    text = await scrape();
    after = parseMetrics(text);
  }, 30_000);

  test("requests by method, route template and status, with a latency histogram", () => {
    const route = "/v1/playbooks/:id";
    expect(grew("ace_http_requests_total", { method: "GET", route, status: "200" })).toBeGreaterThan(0);
    expect(grew("ace_http_requests_total", { method: "POST", route: "/v1/playbooks", status: "201" })).toBe(
      1,
    );
    expect(grew("ace_http_request_duration_seconds_count", { method: "GET", route })).toBeGreaterThan(0);
    expect(
      grew("ace_http_request_duration_seconds_bucket", { method: "GET", route, le: "+Inf" }),
    ).toBeGreaterThan(0);
    expect(grew("ace_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1);
  });

  test("no id, path or user content ever becomes a label value", () => {
    expect(text).not.toContain(playbookId);
    expect(text).not.toContain(userId);
    expect(text).not.toContain("nothing-here");
    expect(text).not.toContain("secret-trace");
    expect(text).not.toContain(TOKEN);
  });

  test("outcomes recorded, evolutions triggered, run and timed", () => {
    expect(grew("ace_outcomes_recorded_total", { outcome: "success" })).toBe(3);
    expect(grew("ace_outcomes_recorded_total", { outcome: "failure" })).toBe(2);
    expect(grew("ace_evolutions_triggered_total", { trigger: "threshold" })).toBe(1);
    expect(grew("ace_evolutions_triggered_total", { trigger: "manual" })).toBe(1);
    expect(grew("ace_evolution_runs_total", { result: "failed" })).toBe(1);
    expect(grew("ace_evolution_runs_total", { result: "succeeded" })).toBe(1);
    expect(grew("ace_evolution_duration_seconds_count", { result: "succeeded" })).toBe(1);
  });

  test("LLM calls, errors, latency, tokens and cost by model and role", () => {
    const reflector = { model: MODEL, role: "reflector" };
    expect(grew("ace_llm_calls_total", { ...reflector, result: "ok" })).toBeGreaterThan(0);
    expect(grew("ace_llm_calls_total", { model: MODEL, role: "curator", result: "ok" })).toBe(1);
    expect(grew("ace_llm_errors_total", { ...reflector, kind: "rejected" })).toBe(1);
    expect(grew("ace_llm_call_duration_seconds_count", reflector)).toBeGreaterThan(1);
    expect(grew("ace_llm_tokens_total", { ...reflector, type: "prompt" })).toBeGreaterThan(0);
    expect(grew("ace_llm_tokens_total", { ...reflector, type: "completion" })).toBeGreaterThan(0);
    expect(grew("ace_llm_cost_usd_total", reflector)).toBeGreaterThan(0);
  });

  test("rate-limit refusals by limit and authentication failures by reason", () => {
    expect(grew("ace_rate_limit_refusals_total", { limit: "login_per_ip" })).toBe(1);
    expect(grew("ace_auth_failures_total", { reason: "invalid_credentials" })).toBe(2);
    expect(grew("ace_auth_failures_total", { reason: "invalid_token" })).toBe(1);
  });

  test("queue depth and the oldest waiting job, read at scrape time", () => {
    expect(sampleOf(after, "ace_queue_jobs", { task: "not_served_here", state: "waiting" })).toBe(1);
    expect(sampleOf(after, "ace_queue_jobs", { task: "not_served_here", state: "scheduled" })).toBe(1);
    expect(sampleOf(after, "ace_queue_oldest_waiting_seconds", {})).toBeGreaterThanOrEqual(120);
  });

  test("database pools of both halves, process memory and event-loop lag", () => {
    for (const pool of ["api", "worker", "queue"]) {
      expect(sampleOf(after, "ace_db_pool_in_use", { pool })).toBeGreaterThanOrEqual(0);
      expect(sampleOf(after, "ace_db_pool_waiting", { pool })).toBe(0);
      expect(sampleOf(after, "ace_db_pool_max", { pool })).toBeGreaterThan(0);
    }
    const open = (pool: string) =>
      (sampleOf(after, "ace_db_pool_in_use", { pool }) ?? 0) +
      (sampleOf(after, "ace_db_pool_idle", { pool }) ?? 0);
    expect(open("api")).toBeGreaterThanOrEqual(1); // the requests above opened connections
    expect(open("queue")).toBeGreaterThanOrEqual(1); // graphile-worker's LISTEN connection at least
    expect(sampleOf(after, "ace_process_resident_memory_bytes", {})).toBeGreaterThan(1_000_000);
    expect(sampleOf(after, "ace_nodejs_eventloop_lag_p99_seconds", {})).toBeGreaterThan(0);
  });
});

describe("who may scrape", () => {
  test("no credentials or a wrong token: 401, and nothing of the metrics", async () => {
    for (const headers of [{}, bearer("wrong-token-wrong-token"), { authorization: TOKEN }]) {
      const response = await app.fetch("/metrics", { headers });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("ace_http_requests_total");
    }
  });

  test("without METRICS_TOKEN there is no /metrics at all (404)", async () => {
    const plain = createTestApp(db.pool);
    expect((await plain.fetch("/metrics", { headers: bearer(TOKEN) })).status).toBe(404);
  });

  test("with METRICS_PORT, /metrics leaves the HTTP port for its own listener", async () => {
    const moved = { ...env, METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" };
    const onPort = createTestApp(db.pool, moved);
    expect((await onPort.fetch("/metrics", { headers: bearer(TOKEN) })).status).toBe(404);
    const listener = serveMetricsListener(onPort.config, onPort.logger);
    if (!listener) throw new Error("the listener should be on");
    afterAll(() => listener.stop(true));
    const base = `http://127.0.0.1:${listener.port}`;
    const ok = await fetch(`${base}/metrics`, { headers: bearer(TOKEN) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("ace_process_resident_memory_bytes");
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/v1/playbooks`, { headers: bearer(TOKEN) })).status).toBe(404);
  });
});
