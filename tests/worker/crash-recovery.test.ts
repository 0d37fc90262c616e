import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../core/auth/caller.ts";
import { getPlaybook } from "../../core/playbooks/index.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually, FAILURE_BACKOFF, jobsOf, playbookWithOutcomes } from "../support/evolution.ts";
import { createUser } from "../support/factories.ts";
import { type FakeLlm, reply, startFakeLlm } from "../support/fake-llm.ts";
import { type Started, startPlatform } from "../support/process.ts";

const db = useTestDatabase();
let fake: FakeLlm;
let alice: Caller;
const workers: Started[] = [];

beforeAll(async () => {
  fake = await startFakeLlm({ instant: true });
  alice = await createUser(db.pool);
});
db.beforeDrop(async () => {
  for (const w of workers) {
    w.proc.kill("SIGKILL");
    await w.proc.exited;
  }
  await fake?.stop();
});

/** A `--role=worker` process; `env` over these settings (WORKER_STALE_LOCK_SECONDS: "" = the default). */
function startWorkerProcess(env: Record<string, string> = {}): Started {
  const worker = startPlatform(
    {
      DATABASE_URL: db.url,
      JWT_SECRET_KEY: "s".repeat(40),
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: "test",
      LLM_MAX_ATTEMPTS: "1",
      LLM_TIMEOUT_SECONDS: "60",
      WORKER_STALE_LOCK_SECONDS: "2",
      EVOLUTION_OUTCOME_THRESHOLD: "5",
      ...env,
    },
    ["--role=worker"],
  );
  workers.push(worker);
  return worker;
}

const versionsOf = (playbookId: string) =>
  db.pool.anyFirst(sql.type(z.object({ n: z.number() }))`
    select version_number as n from playbook_versions where playbook_id = ${playbookId} order by 1`);

const TAKEOVER_LOG = "unlocked jobs of unresponsive workers";

describe("a worker killed mid-evolution", () => {
  test("SIGKILL during the LLM call, then a restart: exactly one new version, each outcome processed once", async () => {
    const first = startWorkerProcess();
    await first.waitFor("ready");
    // The first reflector calls (4 run in parallel) never answer: the worker is stuck in the LLM call.
    fake.script(reply.hang(), reply.hang(), reply.hang(), reply.hang());
    const { playbook, outcomes } = await playbookWithOutcomes(db.pool, alice, 5, {
      threshold: 5,
      maxAttempts: 5,
      failureBackoff: FAILURE_BACKOFF,
    });
    await eventually(async () => fake.requests.length >= 4);
    expect((await jobsOf(db.pool, playbook.id))[0]?.status).toBe("running");
    first.proc.kill("SIGKILL");
    await first.proc.exited;

    const second = startWorkerProcess();
    await second.waitFor("ready");
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status === "completed" && jobs;
    }, 60_000);
    expect(job).toMatchObject({ outcomes_processed: 5, attempts: 2 });

    const versions = await db.pool.anyFirst(sql.type(z.object({ n: z.number() }))`
      select version_number as n from playbook_versions where playbook_id = ${playbook.id} order by 1`);
    expect(versions).toEqual([1, 2]);
    const processed = await db.pool.any(sql.type(z.object({ id: z.string(), job: z.string().nullable() }))`
      select id, evolution_job_id as job from outcomes where playbook_id = ${playbook.id} order by created_at`);
    expect(processed).toEqual(outcomes.map((id) => ({ id, job: job!.id })));
    expect((await getPlaybook(db.pool, alice, playbook.id)).pending_outcomes).toBe(0);
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
  }, 90_000);
});

describe("worker liveness", () => {
  test("at the default settings, a killed worker's evolution is taken over by a running worker within 15 s", async () => {
    const defaults = { WORKER_STALE_LOCK_SECONDS: "" }; // unset: the shipped default
    const first = startWorkerProcess(defaults);
    await first.waitFor("ready");
    const asked = fake.requests.length;
    fake.script(reply.hang(), reply.hang(), reply.hang(), reply.hang());
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 5, {
      threshold: 5,
      maxAttempts: 5,
      failureBackoff: FAILURE_BACKOFF,
    });
    await eventually(async () => fake.requests.length >= asked + 4);
    const second = startWorkerProcess(defaults);
    await second.waitFor("ready");
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    // Not a benchmark: the bound is the promise the issue asks for (≤ 15 s), with the shipped settings.
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return (jobs[0]?.attempts ?? 0) >= 2 && jobs;
    }, 15_000);
    expect(job!.attempts).toBe(2);
    await eventually(async () => (await jobsOf(db.pool, playbook.id))[0]?.status === "completed", 15_000);
    expect(await versionsOf(playbook.id)).toEqual([1, 2]);
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
  }, 60_000);

  test("a long but alive evolution is never taken over: its heartbeat runs while the LLM call waits", async () => {
    // Stale after 2 s, and every reflector call takes three times that: only heartbeats save it.
    const first = startWorkerProcess();
    await first.waitFor("ready");
    const asked = fake.requests.length;
    fake.script(reply.slow(6_000), reply.slow(6_000), reply.slow(6_000), reply.slow(6_000));
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 5, {
      threshold: 5,
      maxAttempts: 5,
      failureBackoff: FAILURE_BACKOFF,
    });
    await eventually(async () => fake.requests.length >= asked + 4);
    const second = startWorkerProcess(); // its reaper would take the job over if the first fell silent
    await second.waitFor("ready");
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status === "completed" && jobs;
    }, 30_000);
    expect(job).toMatchObject({ attempts: 1, outcomes_processed: 5 });
    expect(await versionsOf(playbook.id)).toEqual([1, 2]);
    for (const worker of [first, second]) {
      worker.proc.kill("SIGTERM");
      expect(await worker.proc.exited).toBe(0);
      expect(await worker.stderr()).not.toContain(TAKEOVER_LOG);
    }
  }, 60_000);
});
