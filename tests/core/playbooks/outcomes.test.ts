import { beforeAll, describe, expect, test } from "bun:test";
import type { Caller } from "../../../core/auth/caller.ts";
import { listOutcomes, reportOutcome } from "../../../core/outcomes/index.ts";
import {
  archivePlaybook,
  createPlaybook,
  listPlaybooks,
  seedStarters,
} from "../../../core/playbooks/index.ts";
import { useTestDatabase } from "../../support/db.ts";
import { codeOf, createUser, withScopes } from "../../support/factories.ts";

const db = useTestDatabase();
const options = { limits: { reasoningTraceBytes: 10 * 1024, notesBytes: 2 * 1024 } };
const limits = { maxBytes: 100 * 1024 };

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
  bob = await createUser(db.pool);
  await seedStarters(db.pool);
});

const report = {
  task_description: "Fix the flaky test",
  outcome: "success" as const,
  bullets_used: ["str-00001"],
};

describe("reportOutcome", () => {
  test("records and counts pending outcomes", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "o" }, limits);
    const first = await reportOutcome(db.pool, alice, p.id, report, options);
    expect(first).toMatchObject({ status: "recorded", pending_outcomes: 1 });
    const second = await reportOutcome(db.pool, alice, p.id, { ...report, outcome: "failure" }, options);
    expect(second.pending_outcomes).toBe(2);
    expect(second.outcome_id).not.toBe(first.outcome_id);
  });

  test("a retry with the same idempotency key counts once", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "idem" }, limits);
    const a = await reportOutcome(db.pool, alice, p.id, report, { ...options, idempotencyKey: "k1" });
    const b = await reportOutcome(db.pool, alice, p.id, report, { ...options, idempotencyKey: "k1" });
    const c = await reportOutcome(db.pool, alice, p.id, { ...report, client_outcome_id: "k1" }, options);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        reportOutcome(db.pool, alice, p.id, report, { ...options, idempotencyKey: "k2" }),
      ),
    );
    expect(new Set(racing.map((r) => r.outcome_id)).size).toBe(1);
    expect((await listOutcomes(db.pool, alice, p.id)).total).toBe(2);
  });

  test("oversized trace or notes name the field and the limit", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "big" }, limits);
    const error = await reportOutcome(
      db.pool,
      alice,
      p.id,
      { ...report, reasoning_trace: "x".repeat(10 * 1024 + 1) },
      options,
    ).catch((e) => e);
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain("reasoning_trace");
    expect(error.message).toContain("10240");
    expect(
      await codeOf(reportOutcome(db.pool, alice, p.id, { ...report, notes: "n".repeat(2049) }, options)),
    ).toBe("payload_too_large");
  });

  test("a starter refuses outcomes, telling the agent to clone it", async () => {
    const starter = (await listPlaybooks(db.pool, alice, { include_starters: true })).items.find(
      (p) => p.is_starter,
    )!;
    const error = await reportOutcome(db.pool, alice, starter.id, report, options).catch((e) => e);
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain("copy");
  });

  test("archived, foreign and unscoped are refused", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "arch" }, limits);
    expect(await codeOf(reportOutcome(db.pool, bob, p.id, report, options))).toBe("not_found");
    expect(await codeOf(reportOutcome(db.pool, withScopes(alice, ["read"]), p.id, report, options))).toBe(
      "forbidden",
    );
    await archivePlaybook(db.pool, alice, p.id);
    expect(await codeOf(reportOutcome(db.pool, alice, p.id, report, options))).toBe("conflict");
  });
});

describe("listOutcomes", () => {
  test("newest first, filtered by status and processed state", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "list" }, limits);
    for (const outcome of ["success", "failure", "partial", "failure"] as const) {
      await reportOutcome(
        db.pool,
        alice,
        p.id,
        { ...report, outcome, task_description: `t-${outcome}` },
        options,
      );
    }
    const all = await listOutcomes(db.pool, alice, p.id);
    expect(all.items.map((o) => o.outcome)).toEqual(["failure", "partial", "failure", "success"]);
    expect((await listOutcomes(db.pool, alice, p.id, { status: "failure" })).total).toBe(2);
    expect((await listOutcomes(db.pool, alice, p.id, { processed: true })).total).toBe(0);
    expect((await listOutcomes(db.pool, alice, p.id, { processed: false, limit: 1 })).next_offset).toBe(1);
    expect(await codeOf(listOutcomes(db.pool, bob, p.id))).toBe("not_found");
  });
});

describe("rate limit", () => {
  test("the per-user limit refuses the report after the limit with a retry time", async () => {
    const dave = await createUser(db.pool);
    const p = await createPlaybook(db.pool, dave, { name: "limited" }, limits);
    const limited = { ...options, rateRule: { limit: 3, windowSeconds: 3600 } };
    for (let i = 0; i < 3; i++) await reportOutcome(db.pool, dave, p.id, report, limited);
    const error = await reportOutcome(db.pool, dave, p.id, report, limited).catch((e) => e);
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect((await listOutcomes(db.pool, dave, p.id)).total).toBe(3);
  });
});

describe("the threshold when an evolution ends during a report", () => {
  test("a report that commits just after the running evolution ended still queues the next", async () => {
    const { default: pg } = await import("pg");
    const { sql } = await import("slonik");
    const { z } = await import("zod");
    const evolution = { threshold: 2, maxAttempts: 3, failureBackoff: { baseMinutes: 0, capHours: 0 } };
    const p = await createPlaybook(db.pool, alice, { name: "ends meanwhile" }, limits);
    const job = await db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into evolution_jobs (playbook_id, user_id, status, trigger)
      values (${p.id}, ${alice.userId}, 'running', 'manual') returning id`);
    await reportOutcome(db.pool, alice, p.id, report, { ...options, evolution }); // pending 1: below
    // The evolution's completion, as run-evolution's `complete`: under the playbook lock it ends the
    // job and counts again (1 pending: below the threshold); the second report's insert waits for
    // that lock meanwhile, and commits after it.
    const worker = new pg.Client(db.url);
    await worker.connect();
    try {
      await worker.query("begin");
      await worker.query("select 1 from playbooks where id = $1 for no key update", [p.id]);
      await worker.query(
        "update evolution_jobs set status = 'completed', completed_at = now() where id = $1",
        [job],
      );
      const second = reportOutcome(db.pool, alice, p.id, report, { ...options, evolution });
      for (let waited = 0; waited < 100; waited++) {
        const blocked = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
          select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%insert into outcomes%'`);
        if (blocked > 0) break;
        await Bun.sleep(20);
      }
      await worker.query("commit");
      const answer = await second;
      expect(answer.pending_outcomes).toBe(2);
      // Two pending, none active: the report that reached the threshold queues one.
      expect(answer.queued_evolution_id).not.toBeNull();
    } finally {
      await worker.end();
    }
  });
});
