import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../../core/auth/caller.ts";
import { sweepDueEvolutions, triggerEvolution } from "../../../core/evolution/index.ts";
import { reportOutcome } from "../../../core/outcomes/index.ts";
import { listPlaybooks, seedStarters } from "../../../core/playbooks/index.ts";
import { useTestDatabase } from "../../support/db.ts";
import { FAILURE_BACKOFF, jobsOf, playbookWithOutcomes } from "../../support/evolution.ts";
import { codeOf, createUser, withScopes } from "../../support/factories.ts";

const db = useTestDatabase();
const settings = { maxAttempts: 5 };

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
  bob = await createUser(db.pool);
  await seedStarters(db.pool);
});

const graphileJobs = (playbookId: string) =>
  db.pool.anyFirst(sql.type(z.object({ key: z.string().nullable() }))`
    select j.key from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'evolve_playbook' and j.payload->>'playbook_id' = ${playbookId}`);

describe("triggerEvolution", () => {
  test("50 concurrent triggers: exactly one job, 49 told it already exists", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => triggerEvolution(db.pool, alice, playbook.id, settings)),
    );
    expect(results.filter((r) => r.is_new)).toHaveLength(1);
    expect(results.filter((r) => !r.is_new)).toHaveLength(49);
    expect(new Set(results.map((r) => r.job_id)).size).toBe(1);
    expect(await jobsOf(db.pool, playbook.id)).toHaveLength(1);
    expect(await graphileJobs(playbook.id)).toEqual([`evolve_playbook:${playbook.id}`]);
  });

  test("nothing to process is a conflict, not a job", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 0);
    const error = await triggerEvolution(db.pool, alice, playbook.id, settings).catch((e) => e);
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("no unprocessed outcomes");
    expect(await jobsOf(db.pool, playbook.id)).toEqual([]);
  });

  test("new manual triggers are rate-limited per playbook; repeats of an active job are not", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const limited = { ...settings, rateRule: { limit: 1, windowSeconds: 3600 } };
    const first = await triggerEvolution(db.pool, alice, playbook.id, limited);
    expect((await triggerEvolution(db.pool, alice, playbook.id, limited)).job_id).toBe(first.job_id);
    await db.pool.query(
      sql.unsafe`update evolution_jobs set status = 'completed' where id = ${first.job_id}`,
    );
    const error = await triggerEvolution(db.pool, alice, playbook.id, limited).catch((e) => e);
    expect(error.code).toBe("rate_limited");
  });

  test("scope, ownership and starters", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    expect(
      await codeOf(triggerEvolution(db.pool, withScopes(alice, ["read", "write"]), playbook.id, settings)),
    ).toBe("forbidden");
    expect(await codeOf(triggerEvolution(db.pool, bob, playbook.id, settings))).toBe("not_found");
    const starter = (await listPlaybooks(db.pool, alice, { include_starters: true })).items.find(
      (p) => p.is_starter,
    )!;
    expect(await codeOf(triggerEvolution(db.pool, alice, starter.id, settings))).toBe("forbidden");
  });
});

describe("outcome threshold", () => {
  test("the 5th outcome queues an evolution in the same transaction; the 6th does not add another", async () => {
    const threshold = { threshold: 5, maxAttempts: 5, failureBackoff: FAILURE_BACKOFF };
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 4, threshold);
    expect(await jobsOf(db.pool, playbook.id)).toEqual([]);
    const report = { task_description: "t", outcome: "success" as const };
    const options = { limits: { reasoningTraceBytes: 10240, notesBytes: 2048 }, evolution: threshold };
    const fifth = await reportOutcome(db.pool, alice, playbook.id, report, {
      ...options,
      idempotencyKey: "fifth",
    });
    const retried = await reportOutcome(db.pool, alice, playbook.id, report, {
      ...options,
      idempotencyKey: "fifth",
    });
    expect(retried).toEqual(fifth); // a client retrying over the network still learns the job
    expect(fifth.queued_evolution_id).toBeString();
    const jobs = await jobsOf(db.pool, playbook.id);
    expect(jobs).toEqual([expect.objectContaining({ status: "queued" })]);
    await reportOutcome(db.pool, alice, playbook.id, report, options);
    expect(await jobsOf(db.pool, playbook.id)).toHaveLength(1);
    expect(await graphileJobs(playbook.id)).toHaveLength(1);
  });
});

describe("failure backoff", () => {
  test("a recent failure pauses the outcome threshold but not a manual trigger", async () => {
    const erin = await createUser(db.pool);
    const { playbook } = await playbookWithOutcomes(db.pool, erin, 4);
    const failedMinutesAgo = (minutes: number) =>
      db.pool.query(sql.unsafe`
        insert into evolution_jobs (playbook_id, user_id, trigger, status, created_at, completed_at)
        values (${playbook.id}, ${erin.userId}, 'threshold', 'failed',
                now() - make_interval(mins => ${minutes + 1}), now() - make_interval(mins => ${minutes}))`);
    await failedMinutesAgo(5);
    const report = { task_description: "t", outcome: "success" as const };
    const threshold = { threshold: 5, maxAttempts: 5, failureBackoff: FAILURE_BACKOFF };
    const options = { limits: { reasoningTraceBytes: 10240, notesBytes: 2048 }, evolution: threshold };
    const fifth = await reportOutcome(db.pool, erin, playbook.id, report, options);
    expect(fifth.queued_evolution_id).toBeNull();
    expect((await jobsOf(db.pool, playbook.id)).map((j) => j.status)).toEqual(["failed"]);
    const manual = await triggerEvolution(db.pool, erin, playbook.id, { maxAttempts: 5 });
    expect(manual.is_new).toBe(true);
  });

  test("once the pause is over the next outcome queues the evolution", async () => {
    const fay = await createUser(db.pool);
    const { playbook } = await playbookWithOutcomes(db.pool, fay, 4);
    await db.pool.query(sql.unsafe`
      insert into evolution_jobs (playbook_id, user_id, trigger, status, created_at, completed_at)
      values (${playbook.id}, ${fay.userId}, 'threshold', 'failed', now() - interval '21 minutes', now() - interval '20 minutes')`);
    const threshold = { threshold: 5, maxAttempts: 5, failureBackoff: FAILURE_BACKOFF };
    const recorded = await reportOutcome(
      db.pool,
      fay,
      playbook.id,
      { task_description: "t", outcome: "failure" },
      { limits: { reasoningTraceBytes: 10240, notesBytes: 2048 }, evolution: threshold },
    );
    expect(recorded.queued_evolution_id).toBeString();
  });
});

describe("time threshold sweep", () => {
  test("queues playbooks whose pending outcomes waited longer than the threshold, once", async () => {
    const carol = await createUser(db.pool);
    const { playbook: old } = await playbookWithOutcomes(db.pool, carol, 1);
    const { playbook: none } = await playbookWithOutcomes(db.pool, carol, 0);
    const now = new Date();
    const sweep = (at: Date) => sweepDueEvolutions(db.pool, { hours: 24, maxAttempts: 5 }, at);
    expect(await sweep(now)).not.toContain(old.id);
    const later = new Date(now.getTime() + 25 * 3600 * 1000);
    const queued = await sweep(later);
    expect(queued).toContain(old.id);
    expect(queued).not.toContain(none.id);
    expect(await sweep(later)).not.toContain(old.id); // already queued
    expect(await jobsOf(db.pool, old.id)).toEqual([expect.objectContaining({ status: "queued" })]);
  });

  test("after an evolution the clock restarts at last_evolved_at; after a failure the sweep waits a period", async () => {
    const dave = await createUser(db.pool);
    const { playbook } = await playbookWithOutcomes(db.pool, dave, 1);
    const now = new Date();
    const at = (hours: number) => new Date(now.getTime() + hours * 3600 * 1000);
    await db.pool.query(
      sql.unsafe`update playbooks set last_evolved_at = ${now.toISOString()} where id = ${playbook.id}`,
    );
    const sweep = (hours: number) => sweepDueEvolutions(db.pool, { hours: 24, maxAttempts: 5 }, at(hours));
    expect(await sweep(23)).not.toContain(playbook.id);
    const finished = async (status: "failed" | "completed", hours: number) =>
      db.pool.query(sql.unsafe`
        insert into evolution_jobs (playbook_id, user_id, trigger, status, created_at, completed_at)
        values (${playbook.id}, ${dave.userId}, 'schedule', ${status},
                ${at(hours - 0.01).toISOString()}, ${at(hours).toISOString()})`);
    await finished("failed", 30);
    expect(await sweep(30.5)).not.toContain(playbook.id); // past the threshold's 15-minute pause
    expect(await sweep(53.9)).not.toContain(playbook.id);
    expect(await sweep(54.1)).toContain(playbook.id); // a full period after the failure
  });
});
