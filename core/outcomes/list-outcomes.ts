import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { type Page, paginate } from "../pagination.ts";
import { readablePlaybook } from "../playbooks/access.ts";
import { countOutcomes, type OutcomeRow, listOutcomes as selectOutcomes } from "./queries.ts";
import type { ListOutcomesQuery, Outcome } from "./schemas.ts";

export function toOutcome(row: OutcomeRow): Outcome {
  return {
    id: row.id,
    playbook_id: row.playbook_id,
    task_description: row.task_description,
    outcome: row.status,
    reasoning_trace: row.reasoning_trace,
    notes: row.notes,
    bullets_used: row.bullets_used,
    processed_at: row.processed_at?.toISOString() ?? null,
    evolution_job_id: row.evolution_job_id,
    reflection: row.reflection_data,
    created_at: row.created_at.toISOString(),
  };
}

/** Outcomes of a readable playbook, newest first, optionally filtered. Throws `not_found`. */
export async function listOutcomes(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  query: ListOutcomesQuery = {},
): Promise<Page<Outcome>> {
  const playbook = await readablePlaybook(pool, caller, playbookId);
  const filter = { status: query.status, processed: query.processed };
  return paginate(
    query,
    {
      rows: (limit, offset) => selectOutcomes(pool, playbook.id, { ...filter, limit, offset }),
      total: () => countOutcomes(pool, playbook.id, filter),
    },
    toOutcome,
  );
}
