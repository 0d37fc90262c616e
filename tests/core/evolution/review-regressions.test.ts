import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import type { Caller } from "../../../core/auth/caller.ts";
import { reconcileEvolutionJobs, triggerEvolution } from "../../../core/evolution/index.ts";
import { listOutcomes, reportOutcome } from "../../../core/outcomes/index.ts";
import {
  archivePlaybook,
  createPlaybook,
  createVersion,
  updatePlaybook,
} from "../../../core/playbooks/index.ts";
import { useTestDatabase } from "../../support/db.ts";
import {
  FAILURE_BACKOFF,
  jobsOf,
  OUTCOME_LIMITS,
  playbookWithOutcomes,
  SAMPLE_PLAYBOOK,
} from "../../support/evolution.ts";
import { codeOf, createUser, withScopes } from "../../support/factories.ts";

const db = useTestDatabase();
let alice: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
});

const report = { task_description: "t", outcome: "success" as const };

describe("scopes", () => {
  test("a write-only key can create and rename (no read needed for the answer)", async () => {
    const writer = withScopes(alice, ["write"]);
    const created = await createPlaybook(db.pool, writer, { name: "w" }, { maxBytes: 102400 });
    expect((await updatePlaybook(db.pool, writer, created.id, { name: "w2" })).name).toBe("w2");
    expect(
      await codeOf(createPlaybook(db.pool, withScopes(alice, ["read"]), { name: "r" }, { maxBytes: 102400 })),
    ).toBe("forbidden");
  });

  test("an evolve-only key can trigger an evolution", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    const result = await triggerEvolution(db.pool, withScopes(alice, ["evolve"]), playbook.id, {
      maxAttempts: 3,
    });
    expect(result.is_new).toBe(true);
  });
});

describe("outcome threshold under concurrency", () => {
  test("five concurrent reports reaching the threshold queue exactly one evolution", async () => {
    for (let round = 0; round < 5; round++) {
      const { playbook } = await playbookWithOutcomes(db.pool, alice, 0);
      await Promise.all(
        Array.from({ length: 5 }, () =>
          reportOutcome(db.pool, alice, playbook.id, report, {
            limits: OUTCOME_LIMITS,
            evolution: { threshold: 5, maxAttempts: 3, failureBackoff: FAILURE_BACKOFF },
          }),
        ),
      );
      expect({ round, jobs: (await jobsOf(db.pool, playbook.id)).length }).toEqual({ round, jobs: 1 });
    }
  });
});

describe("rate limit and idempotency", () => {
  test("retries of the same report and refused reports spend no token", async () => {
    const bob = await createUser(db.pool);
    const { playbook } = await playbookWithOutcomes(db.pool, bob, 0);
    const options = { limits: OUTCOME_LIMITS, rateRule: { limit: 2, windowSeconds: 3600 } };
    for (let i = 0; i < 4; i++) {
      await reportOutcome(db.pool, bob, playbook.id, report, { ...options, idempotencyKey: "same" });
    }
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(reportOutcome(db.pool, bob, crypto.randomUUID(), report, options))).toBe(
        "not_found",
      );
    }
    await reportOutcome(db.pool, bob, playbook.id, report, options); // the second token
    expect(await codeOf(reportOutcome(db.pool, bob, playbook.id, report, options))).toBe("rate_limited");
    expect((await listOutcomes(db.pool, bob, playbook.id)).total).toBe(2);
  });
});

describe("archived playbooks", () => {
  test("refuse manual versions and outcomes, but can be renamed and restored", async () => {
    const p = await createPlaybook(
      db.pool,
      alice,
      { name: "a", content: SAMPLE_PLAYBOOK },
      { maxBytes: 102400 },
    );
    await archivePlaybook(db.pool, alice, p.id);
    expect(
      await codeOf(createVersion(db.pool, alice, p.id, { content: SAMPLE_PLAYBOOK }, { maxBytes: 102400 })),
    ).toBe("conflict");
    expect(await codeOf(reportOutcome(db.pool, alice, p.id, report, { limits: OUTCOME_LIMITS }))).toBe(
      "conflict",
    );
    expect((await updatePlaybook(db.pool, alice, p.id, { name: "b", status: "active" })).status).toBe(
      "active",
    );
  });
});

describe("reconcileEvolutionJobs", () => {
  test("re-queues an active job whose queue entry vanished, fails one whose attempts are used up", async () => {
    const { playbook: a } = await playbookWithOutcomes(db.pool, alice, 1);
    const { playbook: b } = await playbookWithOutcomes(db.pool, alice, 1);
    const jobA = await triggerEvolution(db.pool, alice, a.id, { maxAttempts: 3 });
    const jobB = await triggerEvolution(db.pool, alice, b.id, { maxAttempts: 3 });
    // a: the queue entry is lost; b: it was attempted to the limit by workers that died
    await db.pool.query(
      sql.unsafe`delete from graphile_worker._private_jobs where payload->>'job_id' = ${jobA.job_id}`,
    );
    await db.pool.query(sql.unsafe`
      update graphile_worker._private_jobs set attempts = max_attempts where payload->>'job_id' = ${jobB.job_id}`);
    await db.pool.query(
      sql.unsafe`update evolution_jobs set attempts = max_attempts where id = ${jobB.job_id}`,
    );
    const soon = new Date(Date.now() + 10_000);
    expect(await reconcileEvolutionJobs(db.pool, soon)).toEqual({ requeued: [], failed: [] }); // within the grace period
    const later = new Date(Date.now() + 5 * 60_000);
    expect(await reconcileEvolutionJobs(db.pool, later)).toEqual({
      requeued: [jobA.job_id],
      failed: [jobB.job_id],
    });
    const queued = await db.pool.anyFirst(sql.unsafe`
      select attempts from graphile_worker._private_jobs where payload->>'job_id' = ${jobA.job_id}`);
    expect(queued).toEqual([0]);
    const [failed] = await jobsOf(db.pool, b.id);
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed!.error_message).toContain("gave up after 3 attempts");
    expect(await reconcileEvolutionJobs(db.pool, later)).toEqual({ requeued: [], failed: [] });
  });
});
