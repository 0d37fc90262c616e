import { expect } from "bun:test";
import { type DatabasePool, sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../core/auth/caller.ts";
import type { ThresholdSettings } from "../../core/evolution/index.ts";
import { reportOutcome } from "../../core/outcomes/index.ts";
import { createPlaybook, getPlaybook } from "../../core/playbooks/index.ts";

export const OUTCOME_LIMITS = { reasoningTraceBytes: 10 * 1024, notesBytes: 2 * 1024 };

export const SAMPLE_PLAYBOOK = `## STRATEGIES & INSIGHTS
[str-00001] helpful=0 harmful=0 :: Read the failing test before editing code.
[str-00002] helpful=0 harmful=0 :: Run the narrowest test first.

## COMMON MISTAKES TO AVOID
[err-00003] helpful=0 harmful=0 :: Do not edit generated files.
`;

/** The evolution left the playbook as created: still version 1 of SAMPLE_PLAYBOOK, outcomes pending. */
export async function expectPlaybookUntouched(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  pendingOutcomes: number,
): Promise<void> {
  expect(await getPlaybook(pool, caller, playbookId)).toMatchObject({
    version_number: 1,
    pending_outcomes: pendingOutcomes,
    content: SAMPLE_PLAYBOOK,
  });
}

export async function playbookWithOutcomes(
  pool: DatabasePool,
  caller: Caller,
  count: number,
  evolution?: ThresholdSettings,
) {
  const playbook = await createPlaybook(
    pool,
    caller,
    { name: "evolving", content: SAMPLE_PLAYBOOK },
    { maxBytes: 102400 },
  );
  const outcomes: string[] = [];
  for (let i = 0; i < count; i++) {
    const recorded = await reportOutcome(
      pool,
      caller,
      playbook.id,
      { task_description: `task ${i}`, outcome: i % 2 ? "failure" : "success", bullets_used: ["str-00001"] },
      { limits: OUTCOME_LIMITS, evolution },
    );
    outcomes.push(recorded.outcome_id);
  }
  return { playbook, outcomes };
}

/** The default pause after failed evolutions (EVOLUTION_FAILURE_BACKOFF_MINUTES, capped at 24 h). */
export const FAILURE_BACKOFF = { baseMinutes: 15, capHours: 24 };

export const JobState = z.object({
  id: z.string(),
  status: z.string(),
  attempts: z.number(),
  outcomes_processed: z.number(),
  error_message: z.string().nullable(),
  result_summary: z.string().nullable(),
});

export const jobsOf = (pool: DatabasePool, playbookId: string) =>
  pool.any(sql.type(JobState)`
    select id, status, attempts, outcomes_processed, error_message, result_summary
    from evolution_jobs where playbook_id = ${playbookId} order by created_at`);

/** Polls until `check` returns a value (not a timing assertion: it fails only on a hang). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms (last: ${String(value)})`);
    await Bun.sleep(25);
  }
}
