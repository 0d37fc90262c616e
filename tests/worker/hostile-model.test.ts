/**
 * Issue 16, defect 2 through the real worker and Postgres: a model reply carrying NUL and unpaired
 * surrogates used to pass the engine and then fail the jsonb write, so the job was retried with
 * new paid calls and ended as an internal error. Now the engine cleans the reply first.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { type Composition, compose } from "../../boot/compose.ts";
import type { Caller } from "../../core/auth/caller.ts";
import { getEvolution, triggerEvolution } from "../../core/evolution/index.ts";
import { createLogger } from "../../core/logger.ts";
import { getPlaybook } from "../../core/playbooks/index.ts";
import { findUnstorableText } from "../../core/storable-text.ts";
import { startWorker, type WorkerHandle } from "../../worker/runner.ts";
import { testConfig } from "../support/config.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually, jobsOf, playbookWithOutcomes } from "../support/evolution.ts";
import { createUser } from "../support/factories.ts";
import { type FakeLlm, fakeLlmClient, reply, startFakeLlm } from "../support/fake-llm.ts";

const db = useTestDatabase();
let fake: FakeLlm;
let worker: WorkerHandle;
let workerHalf: Composition;
let alice: Caller;

beforeAll(async () => {
  fake = await startFakeLlm();
  const config = testConfig({ EVOLUTION_MAX_ATTEMPTS: "3" });
  workerHalf = await compose(config, db.url, "worker", {
    logger: createLogger("silent"),
    llm: fakeLlmClient(fake),
  });
  worker = await startWorker(db.url, workerHalf.deps, { pollIntervalMs: 50 });
  alice = await createUser(db.pool);
}, 30_000);

db.beforeDrop(async () => {
  await worker?.stop();
  await workerHalf?.close();
  await fake?.stop();
});

const add = (content: string, reason: string) => ({
  type: "ADD",
  section: "STRATEGIES & INSIGHTS",
  bullet_id: null,
  bullet_ids: null,
  content,
  reason,
});

describe("a reply with NUL and unpaired surrogates", () => {
  test("is cleaned by the engine: one attempt, the version, change log and reflection are stored", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 1);
    fake.script(
      reply.json({
        reasoning: "r\u0000",
        error_identification: "",
        root_cause_analysis: "cause \ud800",
        correct_approach: "approach",
        key_insight: "insight\u0000 \udc00kept",
        bullet_tags: [
          { id: "ghost\u0000", tag: "helpful" },
          { id: "str-00001", tag: "helpful" },
        ],
      }),
      reply.json({
        reasoning: "hostile",
        operations: [add("x \ud800", "why\u0000"), add("Check the exit code\u0000 before retrying.", "ok")],
      }),
    );
    const job = await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const [done] = await eventually(async () => {
      const jobs = await jobsOf(db.pool, playbook.id);
      return jobs[0]?.status !== "queued" && jobs[0]?.status !== "running" && jobs;
    });
    expect(done).toMatchObject({ status: "completed", attempts: 1, error_message: null });
    expect(fake.requests.map((r) => r.role)).toEqual(["reflector", "curator"]); // no paid retries

    const detail = await getPlaybook(db.pool, alice, playbook.id);
    expect(detail.version_number).toBe(2);
    expect(detail.content).toContain("[str-00001] helpful=1 harmful=0");
    expect(detail.content).toContain(":: x\n");
    expect(detail.content).toContain(":: Check the exit code before retrying.\n");

    const stored = await db.pool.one(sql.type(
      z.object({ change_log: z.array(z.any()), reflection: z.any() }),
    )`
      select v.change_log, o.reflection_data as reflection
      from playbook_versions v join outcomes o on o.evolution_job_id = v.created_by_job_id
      where v.created_by_job_id = ${job.job_id}`);
    expect(findUnstorableText(stored)).toBeNull();
    expect(stored.change_log[0]).toMatchObject({
      op: "TAG",
      status: "rejected",
      rejection: "unknown bullet id ghost",
    });
    expect(stored.reflection).toMatchObject({ key_insight: "insight kept", root_cause_analysis: "cause" });

    const result = await getEvolution(db.pool, alice, job.job_id);
    expect(result.refusals).toEqual({
      total: 1,
      omitted: 0,
      listed: [
        {
          op: "TAG",
          source: "reflector",
          bullet_ids: ["ghost"],
          outcome_id: expect.any(String),
          reason: "unknown bullet id ghost",
        },
      ],
    });
  }, 30_000);
});
