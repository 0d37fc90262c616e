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
