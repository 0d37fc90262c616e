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

function startWorkerProcess(): Started {
  const worker = startPlatform(
    {
      DATABASE_URL: db.url,
      JWT_SECRET_KEY: "s".repeat(40),
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: "test",
      LLM_MAX_ATTEMPTS: "1",
      WORKER_STALE_LOCK_SECONDS: "2",
      EVOLUTION_OUTCOME_THRESHOLD: "5",
    },
    ["--role=worker"],
  );
  workers.push(worker);
  return worker;
}

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
