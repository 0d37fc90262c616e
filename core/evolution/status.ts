import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { type Page, type Pagination, paginate } from "../pagination.ts";
import { readablePlaybook } from "../playbooks/access.ts";
import { isUuid } from "../playbooks/errors.ts";
import { countJobs, findOwnJob, type JobRow, listJobs } from "./queries.ts";
import type { EvolutionJob } from "./schemas.ts";

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toEvolutionJob(row: JobRow): EvolutionJob {
  return {
    job_id: row.id,
    playbook_id: row.playbook_id,
    status: row.status,
    trigger: row.trigger,
    outcomes_processed: row.outcomes_processed,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    error_message: row.error_message,
    result_summary: row.result_summary,
    refusals: row.refusals as EvolutionJob["refusals"],
    token_totals: row.token_totals as EvolutionJob["token_totals"],
    from_version: row.from_version,
    to_version: row.to_version,
    created_at: row.created_at.toISOString(),
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
  };
}

/** One of the caller's evolution jobs. Throws `not_found` for another user's or a malformed id. */
export async function getEvolution(pool: DatabasePool, caller: Caller, jobId: string): Promise<EvolutionJob> {
  requireScope(caller, "read");
  const row = isUuid(jobId) ? await findOwnJob(pool, caller.userId, jobId) : null;
  if (!row)
    throw new AppError(
      "not_found",
      "Evolution job not found. Check the job id returned when the evolution was triggered.",
    );
  return toEvolutionJob(row);
}

/** Evolution jobs of a readable playbook, newest first. Throws `not_found`. */
export async function listEvolutions(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  query: Pagination = {},
): Promise<Page<EvolutionJob>> {
  const playbook = await readablePlaybook(pool, caller, playbookId);
  return paginate(
    query,
    {
      rows: (limit, offset) => listJobs(pool, playbook.id, limit, offset),
      total: () => countJobs(pool, playbook.id),
    },
    toEvolutionJob,
  );
}
