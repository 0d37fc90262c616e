import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { type Composition, compose } from "../../boot/compose.ts";
import type { Caller } from "../../core/auth/caller.ts";
import { triggerEvolution } from "../../core/evolution/index.ts";
import type { LlmClient } from "../../core/llm/index.ts";
import { createLogger } from "../../core/logger.ts";
import { reportOutcome } from "../../core/outcomes/index.ts";
import { archivePlaybook, getPlaybook, listVersions } from "../../core/playbooks/index.ts";
import { startWorker, type WorkerHandle } from "../../worker/runner.ts";
import { createTaskList, cronItems } from "../../worker/tasks.ts";
import { testConfig } from "../support/config.ts";
import { createTestDeps } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";
import {
  eventually,
  expectPlaybookUntouched,
  FAILURE_BACKOFF,
  jobsOf,
  OUTCOME_LIMITS,
  playbookWithOutcomes,
} from "../support/evolution.ts";
import { createUser } from "../support/factories.ts";
import { type FakeLlm, fakeLlmClient, reply, startFakeLlm } from "../support/fake-llm.ts";

const db = useTestDatabase();
const env = { EVOLUTION_MAX_ATTEMPTS: "3" };
const config = testConfig(env);
const threshold = { threshold: 5, maxAttempts: 3, failureBackoff: FAILURE_BACKOFF };

let fake: FakeLlm;
let worker: WorkerHandle;
let workerHalf: Composition;
let alice: Caller;
/** Calls wait here while a test holds the gate closed. */
let gate: Promise<void> = Promise.resolve();
/** Calls that reached the gate: proof that a job has taken its outcome snapshot. */
let gateArrivals = 0;
/** Curator calls (only) wait here. */
let curatorGate: Promise<void> = Promise.resolve();

beforeAll(async () => {
  fake = await startFakeLlm({ instant: true });
  const real = fakeLlmClient(fake);
  const llm: LlmClient = {
    ...real,
    generate: async (request) => {
      gateArrivals++;
      await gate;
      if (request.operation === "curate") await curatorGate;
      return real.generate(request);
    },
  };
  workerHalf = await compose(config, db.url, "worker", { logger: createLogger("silent"), llm });
  worker = await startWorker(db.url, workerHalf.deps, { pollIntervalMs: 50 });
  alice = await createUser(db.pool);
}, 30_000);

db.beforeDrop(async () => {
  await worker?.stop();
  await workerHalf?.close();
  await fake?.stop();
});

const finished = (playbookId: string, count = 1) =>
  eventually(async () => {
    const jobs = await jobsOf(db.pool, playbookId);
    const done = jobs.filter((j) => j.status === "completed" || j.status === "failed");
    return (
      done.length >= count && jobs.every((j) => j.status === "completed" || j.status === "failed") && jobs
    );
  });

const spentBy = (jobId: string) =>
  db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) as n from usage_records where evolution_job_id = ${jobId}`);

const processedBy = (playbookId: string) =>
  db.pool.any(sql.type(
    z.object({ id: z.string(), evolution_job_id: z.string().nullable(), has_reflection: z.boolean() }),
  )`
    select id, evolution_job_id, reflection_data is not null as has_reflection from outcomes
    where playbook_id = ${playbookId} order by created_at`);

describe("evolve_playbook", () => {
  test("the 5th outcome triggers an evolution; the worker produces version 2 with the outcomes linked", async () => {
    const { playbook, outcomes } = await playbookWithOutcomes(db.pool, alice, 5, threshold);
    const [job] = await finished(playbook.id);
    expect(job).toMatchObject({ status: "completed", outcomes_processed: 5, error_message: null });
    const detail = await getPlaybook(db.pool, alice, playbook.id);
    expect(detail.version_number).toBe(2);
    expect(detail.content).toContain("Instant lesson");
    expect(detail.content).toContain("[str-00001] helpful=5 harmful=0"); // every reflection tagged it helpful
    // the counters on the playbook row (sql/0007_hot_paths.sql): the evolution consumed all five
    expect(detail).toMatchObject({ outcome_count: 5, pending_outcomes: 0 });
    const versions = await listVersions(db.pool, alice, playbook.id);
    expect(versions.items[0]).toMatchObject({
      version_number: 2,
      origin: "evolution",
      created_by_job_id: job!.id,
    });
    const rows = await processedBy(playbook.id);
    expect(rows.map((r) => r.id)).toEqual(outcomes);
    expect(rows.every((r) => r.evolution_job_id === job!.id && r.has_reflection)).toBe(true);
    const usage = await db.pool.one(sql.type(z.object({ n: z.number(), ops: z.array(z.string()) }))`
      select count(*) as n, array_agg(distinct operation) as ops from usage_records where evolution_job_id = ${job!.id}`);
    expect(usage.n).toBe(6); // 5 reflections + 1 curation
    expect(usage.ops.sort()).toEqual(["curate", "reflect"]);
    const totals = await db.pool.oneFirst(sql.type(z.object({ t: z.record(z.string(), z.unknown()) }))`
      select token_totals as t from evolution_jobs where id = ${job!.id}`);
    expect(totals).toMatchObject({ calls: 6 });
  }, 30_000);

  test("outcomes reported while a job runs wait for the next one", async () => {
    let open!: () => void;
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const arrivalsBefore = gateArrivals;
    const { playbook, outcomes } = await playbookWithOutcomes(db.pool, alice, 5, threshold);
    // "running" alone is not enough: the job snapshots its outcomes just after claiming, and
    // outcomes reported before the snapshot rightly join this batch. Its first LLM call is after.
    await eventually(async () => gateArrivals > arrivalsBefore);
    const late: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await reportOutcome(
        db.pool,
        alice,
        playbook.id,
        { task_description: `late ${i}`, outcome: "partial" },
        {
          limits: OUTCOME_LIMITS,
          evolution: threshold,
        },
      );
      late.push(r.outcome_id);
    }
    expect(await jobsOf(db.pool, playbook.id)).toHaveLength(1); // no second job while one is running
    open();
    gate = Promise.resolve();
    const jobs = await finished(playbook.id, 2); // the completed job queued the next one: threshold met again
    expect(jobs.map((j) => j.outcomes_processed)).toEqual([5, 5]);
    const rows = await processedBy(playbook.id);
    const byJob = (ids: string[]) =>
      new Set(rows.filter((r) => ids.includes(r.id)).map((r) => r.evolution_job_id));
    expect(byJob(outcomes)).toEqual(new Set([jobs[0]!.id]));
    expect(byJob(late)).toEqual(new Set([jobs[1]!.id]));
    expect(await getPlaybook(db.pool, alice, playbook.id)).toMatchObject({
      version_number: 3,
      outcome_count: 10,
      pending_outcomes: 0,
    });
  }, 30_000);

  test("each LLM call's usage is recorded as it returns, before the job commits", async () => {
    let release!: () => void;
    curatorGate = new Promise((resolve) => {
      release = resolve;
    });
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    const job = await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const spent = () =>
      db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*) as n from usage_records where evolution_job_id = ${job.job_id}`);
    await eventually(async () => (await spent()) === 2); // both reflections, while the curator waits
    expect((await jobsOf(db.pool, playbook.id))[0]?.status).toBe("running");
    release();
    curatorGate = Promise.resolve();
    const [done] = await finished(playbook.id);
    expect(done).toMatchObject({ status: "completed" });
    expect(await spent()).toBe(3); // recorded once each, not again at commit
  }, 30_000);

  test("a transient LLM failure is retried, then succeeds", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    fake.script(reply.status(503));
    await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status === "completed" && jobs;
    }, 20_000);
    expect(job).toMatchObject({ status: "completed", attempts: 2, error_message: null });
    expect((await getPlaybook(db.pool, alice, playbook.id)).version_number).toBe(2);
  }, 30_000);

  test("a permanent failure leaves the playbook and its outcomes untouched, and records spend", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    // reflections succeed (and cost tokens), then the provider refuses the curator's request
    fake.script(
      reply.instant(),
      reply.instant(),
      reply.status(401, { message: "Incorrect API key provided" }),
    );
    await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const [job] = await finished(playbook.id);
    expect(job).toMatchObject({ status: "failed", attempts: 1 });
    expect(job!.error_message).toMatch(/401|rejected|API key/i);
    await expectPlaybookUntouched(db.pool, alice, playbook.id, 2);
    expect(await spentBy(job!.id)).toBe(2);
  }, 30_000);

  test("a model reply unusable after its repair is a failed attempt: retried after backoff, and the retry can succeed", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    fake.script(reply.instant(), reply.instant(), reply.text("not json"), reply.text("still not json"));
    await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status === "completed" && jobs;
    }, 20_000);
    expect(job).toMatchObject({
      status: "completed",
      attempts: 2,
      error_message: null,
      outcomes_processed: 2,
    });
    expect((await getPlaybook(db.pool, alice, playbook.id)).version_number).toBe(2);
    expect(await spentBy(job!.id)).toBe(4 + 3); // the failed attempt's four calls, then 2 reflections + 1 curation
  }, 30_000);

  test("a model reply unusable on every attempt fails the job, saying what the model kept getting wrong", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    const junk = [reply.instant(), reply.instant(), reply.text('{"operations": "none"}'), reply.text("[]")];
    fake.script(...junk, ...junk);
    await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 2 });
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status === "failed" && jobs;
    }, 20_000);
    expect(job).toMatchObject({ status: "failed", attempts: 2 });
    expect(job!.error_message).toContain("gave up after 2 attempts: the model's reply could not be used");
    expect(job!.error_message).toContain("curator returned invalid output");
    expect(job!.error_message).toContain("Before that: attempt 1 of 2 failed");
    await expectPlaybookUntouched(db.pool, alice, playbook.id, 2);
    expect(await spentBy(job!.id)).toBe(8); // every call of both attempts
  }, 30_000);

  test("a curator removing most bullets is refused by the collapse guard: job completed, bullets kept, refusals recorded", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const remove = (id: string) => ({
      type: "REMOVE",
      section: null,
      bullet_id: id,
      bullet_ids: null,
      content: null,
      reason: "tidy up",
    });
    fake.script(
      reply.instant(),
      reply.json({
        reasoning: "start over",
        operations: ["str-00001", "str-00002", "err-00003"].map(remove),
      }),
    );
    await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const [job] = await finished(playbook.id);
    expect(job).toMatchObject({ status: "completed", attempts: 1, outcomes_processed: 1 });
    // The reflection's tag still counts; none of the removals applied.
    const detail = await getPlaybook(db.pool, alice, playbook.id);
    expect(detail.content).toContain("[str-00001] helpful=1 harmful=0");
    for (const id of ["str-00002", "err-00003"]) expect(detail.content).toContain(`[${id}]`);
    const refusals = await db.pool.oneFirst(sql.type(z.object({ r: z.any() }))`
      select refusals as r from evolution_jobs where id = ${job!.id}`);
    expect(refusals).toMatchObject({ total: 3, omitted: 0 });
    expect(refusals.listed.map((r: { op: string; bullet_ids: string[] }) => [r.op, r.bullet_ids])).toEqual([
      ["REMOVE", ["str-00001"]],
      ["REMOVE", ["str-00002"]],
      ["REMOVE", ["err-00003"]],
    ]);
    expect(refusals.listed[0].reason).toContain("collapse guard: the reply would change 3 of 3 bullets");
  }, 30_000);

  test("a playbook archived while its evolution waited: the job is skipped, the outcomes stay pending", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const key = `evolve_playbook:${playbook.id}`;
    await db.pool.connect(async (connection) => {
      // Hold the playbook's evolution lock, as a previous job would: the new job waits for it.
      await connection.query(sql.unsafe`select pg_advisory_lock(hashtextextended(${key}, 0))`);
      await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
      await eventually(async () => {
        const waiting = await connection.oneFirst(sql.type(z.object({ n: z.number() }))`
          select count(*) as n from pg_locks where locktype = 'advisory' and not granted`);
        return waiting > 0;
      });
      await archivePlaybook(db.pool, alice, playbook.id);
      await connection.query(sql.unsafe`select pg_advisory_unlock(hashtextextended(${key}, 0))`);
    });
    const [job] = await finished(playbook.id);
    expect(job).toMatchObject({
      status: "completed",
      outcomes_processed: 0,
      result_summary: "skipped: the playbook was archived before the evolution ran; its outcomes wait",
    });
    const pending = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from outcomes where playbook_id = ${playbook.id} and processed_at is null`);
    expect(pending).toBe(1);
  }, 30_000);
});

describe("a playbook archived while its evolution runs", () => {
  test("gets no version: the job ends skipped, its outcomes stay pending, the spend is recorded", async () => {
    let release!: () => void;
    curatorGate = new Promise((resolve) => {
      release = resolve;
    });
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    const job = await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    await eventually(async () => (await spentBy(job.job_id)) === 2); // reflected; the curator waits
    await archivePlaybook(db.pool, alice, playbook.id);
    release();
    curatorGate = Promise.resolve();
    const [done] = await finished(playbook.id);
    expect(done).toMatchObject({ status: "completed", outcomes_processed: 0 });
    expect(done!.result_summary).toContain("archived while the evolution ran");
    const versions = await db.pool.anyFirst(sql.type(z.object({ n: z.number() }))`
      select version_number as n from playbook_versions where playbook_id = ${playbook.id}`);
    expect(versions).toEqual([1]);
    const pending = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from outcomes where playbook_id = ${playbook.id} and processed_at is null`);
    expect(pending).toBe(2);
    expect(await spentBy(job.job_id)).toBe(3);
  }, 30_000);
});

describe("cron", () => {
  test("the sweep runs every EVOLUTION_SWEEP_INTERVAL_MINUTES and housekeeping hourly", () => {
    const items = cronItems(testConfig({ EVOLUTION_SWEEP_INTERVAL_MINUTES: "5" }));
    const tasks = createTaskList(createTestDeps(db.pool, { env }));
    for (const item of items) expect(Object.keys(tasks)).toContain(item.task);
    const at = (min: number, hour = 3) => ({ min, hour, date: 1, month: 1, dow: 1 });
    const sweep = items.find((i) => i.task === "evolution_sweep")!;
    expect([0, 5, 10, 55].every((m) => sweep.match(at(m)))).toBe(true);
    expect([1, 4, 59].some((m) => sweep.match(at(m)))).toBe(false);
    const prune = items.find((i) => i.task === "prune_expired_state")!;
    expect([0, 1, 2, 3].map((h) => prune.match(at(17, h)))).toEqual([true, true, true, true]);
    expect(prune.match(at(18))).toBe(false);
  });

  test("the sweep task, with the clock moved past the time threshold, queues an evolution the worker runs", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const later = new Date(Date.now() + (config.evolution.timeThresholdHours + 1) * 3600 * 1000);
    const tasks = createTaskList(createTestDeps(db.pool, { env }), { now: () => later });
    const now = createTaskList(createTestDeps(db.pool, { env }));
    await now.evolution_sweep!({}, {} as never);
    expect(await jobsOf(db.pool, playbook.id)).toEqual([]); // not due yet
    await tasks.evolution_sweep!({}, {} as never);
    const [job] = await finished(playbook.id);
    expect(job).toMatchObject({ status: "completed", outcomes_processed: 1 });
    const trigger = await db.pool.oneFirst(sql.type(z.object({ trigger: z.string() }))`
      select trigger from evolution_jobs where id = ${job!.id}`);
    expect(trigger).toBe("schedule");
  }, 30_000);
});
