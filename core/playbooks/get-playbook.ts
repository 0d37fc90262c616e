import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { readablePlaybook } from "./access.ts";
import { versionContent } from "./content-cache.ts";
import { toEvolutionBrief, toPlaybookSummary } from "./mappers.ts";
import { evolutionBriefs } from "./queries.ts";
import type { PlaybookDetail } from "./schemas.ts";

/**
 * A playbook the caller may read, with its current content, counts and evolution status.
 * Throws `not_found` for a missing playbook, another user's, or a malformed id; `forbidden`
 * without `read` (`scope: null` skips that for the answer to a write the caller just made).
 */
export async function getPlaybook(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  options: { scope?: "read" | null } = {},
): Promise<PlaybookDetail> {
  const row = await readablePlaybook(pool, caller, id, options);
  const [content, briefs] = await Promise.all([
    row.current_version_id ? versionContent(pool, row.current_version_id) : null,
    evolutionBriefs(pool, row.id),
  ]);
  const active = briefs.find((b) => b.status === "queued" || b.status === "running");
  const last = briefs.at(-1);
  return {
    ...toPlaybookSummary(row),
    content: content ?? "",
    cloned_from_id: row.cloned_from_id,
    active_evolution: active ? toEvolutionBrief(active) : null,
    last_evolution: last ? toEvolutionBrief(last) : null,
  };
}
