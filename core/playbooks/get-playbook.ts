import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { versionContent } from "./content-cache.ts";
import { isUuid, playbookNotFound } from "./errors.ts";
import { toEvolutionBrief, toPlaybookSummary } from "./mappers.ts";
import { findReadablePlaybookDetail, type PlaybookDetailRow } from "./queries.ts";
import type { PlaybookDetail } from "./schemas.ts";

const brief = (row: PlaybookDetailRow, which: "active" | "last") => {
  const id = row[`${which}_id`];
  const status = row[`${which}_status`];
  const createdAt = row[`${which}_created_at`];
  if (!id || !status || !createdAt) return null;
  return toEvolutionBrief({ id, status, created_at: createdAt, completed_at: row[`${which}_completed_at`] });
};

/**
 * A playbook the caller may read, with its current content, counts and evolution status: one
 * statement (ownership, version, counters, evolutions) and the content from the version cache
 * (content-cache.ts; a version never changes). Throws `not_found` for a missing playbook,
 * another user's, or a malformed id; `forbidden` without `read` (`scope: null` skips that for the
 * answer to a write the caller just made).
 */
export async function getPlaybook(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  options: { scope?: "read" | null } = {},
): Promise<PlaybookDetail> {
  if (options.scope !== null) requireScope(caller, options.scope ?? "read");
  const row = isUuid(id) ? await findReadablePlaybookDetail(pool, caller.userId, id) : null;
  if (!row) throw playbookNotFound();
  const content = row.current_version_id ? await versionContent(pool, row.current_version_id) : null;
  return {
    ...toPlaybookSummary(row),
    content: content ?? "",
    cloned_from_id: row.cloned_from_id,
    active_evolution: brief(row, "active"),
    last_evolution: brief(row, "last"),
  };
}
