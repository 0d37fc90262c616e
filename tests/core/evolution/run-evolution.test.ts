import { beforeAll, describe, expect, test } from "bun:test";
import type { Caller } from "../../../core/auth/caller.ts";
import { runEvolution, triggerEvolution } from "../../../core/evolution/index.ts";
import { createLlmClient } from "../../../core/llm/index.ts";
import { createLogger } from "../../../core/logger.ts";
import { useTestDatabase } from "../../support/db.ts";
import {
  expectPlaybookUntouched,
  FAILURE_BACKOFF,
  jobsOf,
  playbookWithOutcomes,
} from "../../support/evolution.ts";
import { createUser } from "../../support/factories.ts";

const db = useTestDatabase();
let alice: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
});

const settings = {
  batchSize: 50,
  tokenBudget: 24_000,
  maxChangeShare: 0.3,
  maxContentBytes: 102_400,
  threshold: { threshold: 5, maxAttempts: 3, failureBackoff: FAILURE_BACKOFF },
};

describe("runEvolution without an LLM provider", () => {
  test("fails the job at once with a message saying what to configure; nothing else changes", async () => {
    const { playbook } = await playbookWithOutcomes(db.pool, alice, 2);
    const job = await triggerEvolution(db.pool, alice, playbook.id, { maxAttempts: 3 });
    const llm = createLlmClient({
      models: { reflector: "m", curator: "m" },
      timeoutMs: 1000,
      maxAttempts: 1,
    });
    const deps = { pool: db.pool, llm, settings, logger: createLogger("silent") };
    const outcome = await runEvolution(
      deps,
      { job_id: job.job_id, playbook_id: playbook.id },
      { number: 1, max: 3 }, // the first of three attempts: a permanent error does not wait for the rest
    );
    expect(outcome).toBe("failed");
    const [row] = await jobsOf(db.pool, playbook.id);
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row!.error_message).toContain("OPENAI");
    await expectPlaybookUntouched(db.pool, alice, playbook.id, 2);
  });
});
