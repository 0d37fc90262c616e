import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../core/auth/caller.ts";
import { RETENTION_BATCH } from "../../core/maintenance.ts";
import { createTaskList } from "../../worker/tasks.ts";
import { PASSWORD } from "../support/auth.ts";
import { createTestDeps } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";

const db = useTestDatabase();
const DAY = 86_400_000;
const start = new Date();
const later = (days: number) => new Date(start.getTime() + days * DAY);

const OutcomeState = z.object({
  status: z.string(),
  reasoning_trace: z.string().nullable(),
  notes: z.string().nullable(),
  reflection_data: z.unknown().nullable(),
  evolution_job_id: z.string().nullable(),
  processed: z.boolean(),
});
const outcomesOf = (playbookId: string) =>
  db.pool.any(sql.type(OutcomeState)`
    select status, reasoning_trace, notes, reflection_data, evolution_job_id, processed_at is not null as processed
    from outcomes where playbook_id = ${playbookId} order by created_at, id`);
const count = (table: "audit_events" | "outcomes") =>
  db.pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`select count(*)::int as n from ${sql.identifier([table])}`,
  );

let alice: Caller;
let playbookId = "";
let jobId = "";

beforeAll(async () => {
  const deps = createTestDeps(db.pool);
  const email = `retention-${crypto.randomUUID()}@example.com`;
  const session = await deps.core.auth.register({ email, password: PASSWORD });
  await deps.core.auth.login({ email, password: PASSWORD }, { client: { ip: "192.0.2.1" } }); // an audit event
  alice = { userId: session.user.id, scopes: ["read", "write", "evolve"], via: "jwt", apiKeyId: null };
  playbookId = (await deps.core.playbooks.create(alice, { name: "kept", content: SAMPLE_PLAYBOOK })).id;
  for (const outcome of ["success", "failure"] as const) {
    await deps.core.outcomes.report(alice, playbookId, {
      task_description: `a ${outcome}`,
      outcome,
      reasoning_trace: "the agent's private reasoning",
      notes: "private notes",
    });
  }
  // The first outcome was processed by an evolution, which left its reflection on it.
  jobId = await db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into evolution_jobs (playbook_id, user_id, status, trigger)
    values (${playbookId}, ${alice.userId}, 'completed', 'manual') returning id`);
  await db.pool.query(sql.unsafe`
    update outcomes set evolution_job_id = ${jobId}, processed_at = now(), reflection_data = '{"key_insight": "x"}'
    where id = (select id from outcomes where playbook_id = ${playbookId} order by created_at, id limit 1)`);
  // A queue job that used up its attempts.
  await db.pool.query(sql.unsafe`
    select graphile_worker.permanently_fail_jobs(array[(graphile_worker.add_job('gone_wrong', '{}'::json)).id], 'boom')`);
});

describe("retention: the hourly task with the clock moved forward", () => {
  test("queue jobs failed for good stay 30 days for diagnosis, then go", async () => {
    const deps = createTestDeps(db.pool);
    expect(await deps.core.maintenance.pruneExpiredState(later(29))).toMatchObject({ failedQueueJobs: 0 });
    expect(await deps.core.maintenance.pruneExpiredState(later(31))).toMatchObject({
      failedQueueJobs: 1,
      outcomeTraces: 0,
      auditEvents: 0,
    });
  });

  test("0 days keeps traces, notes and audit events forever", async () => {
    const keepAll = createTestDeps(db.pool, {
      env: { OUTCOME_TRACE_RETENTION_DAYS: "0", AUDIT_EVENT_RETENTION_DAYS: "0" },
    });
    const result = await keepAll.core.maintenance.pruneExpiredState(later(3650));
    expect(result).toMatchObject({ outcomeTraces: 0, auditEvents: 0 });
    expect((await outcomesOf(playbookId)).every((o) => o.reasoning_trace !== null)).toBe(true);
    expect(await count("audit_events")).toBeGreaterThan(0);
  });

  test("before 90 days nothing is cleared", async () => {
    const deps = createTestDeps(db.pool);
    const result = await deps.core.maintenance.pruneExpiredState(later(89));
    expect(result).toMatchObject({ outcomeTraces: 0, auditEvents: 0 });
    expect((await outcomesOf(playbookId)).map((o) => o.notes)).toEqual(["private notes", "private notes"]);
  });

  test("after 90 days traces, notes and reflections are cleared; the outcomes, statuses and evolution link stay", async () => {
    const deps = createTestDeps(db.pool);
    const pendingBefore = (await deps.core.playbooks.get(alice, playbookId)).pending_outcomes;
    const prune = createTaskList(deps, { now: () => later(91) }).prune_expired_state!;
    await prune({}, {} as never);
    expect(await outcomesOf(playbookId)).toEqual([
      {
        status: "success",
        reasoning_trace: null,
        notes: null,
        reflection_data: null,
        evolution_job_id: jobId,
        processed: true,
      },
      {
        status: "failure",
        reasoning_trace: null,
        notes: null,
        reflection_data: null,
        evolution_job_id: null,
        processed: false,
      },
    ]);
    expect((await deps.core.playbooks.get(alice, playbookId)).pending_outcomes).toBe(pendingBefore);
    expect(await count("audit_events")).toBeGreaterThan(0); // a year for those
  });

  test("audit events go after AUDIT_EVENT_RETENTION_DAYS (365)", async () => {
    const deps = createTestDeps(db.pool);
    expect((await deps.core.maintenance.pruneExpiredState(later(364))).auditEvents).toBe(0);
    expect((await deps.core.maintenance.pruneExpiredState(later(366))).auditEvents).toBeGreaterThan(0);
    expect(await count("audit_events")).toBe(0);
  });

  test("a backlog larger than one batch is cleared completely, batch by batch", async () => {
    const backlog = RETENTION_BATCH * 2 + 7;
    await db.pool.query(sql.unsafe`
      insert into outcomes (playbook_id, user_id, task_description, status, reasoning_trace)
      select ${playbookId}, ${alice.userId}, 'bulk ' || n, 'success', 'trace ' || n from generate_series(1, ${backlog}) n`);
    const outcomesBefore = await count("outcomes");
    const result = await createTestDeps(db.pool).core.maintenance.pruneExpiredState(later(91));
    expect(result.outcomeTraces).toBe(backlog);
    expect(await count("outcomes")).toBe(outcomesBefore);
    const left = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from outcomes where reasoning_trace is not null`);
    expect(left).toBe(0);
  });
});
