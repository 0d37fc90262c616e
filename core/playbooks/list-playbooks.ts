import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { type Page, paginate } from "../pagination.ts";
import { toPlaybookSummary } from "./mappers.ts";
import { countPlaybooks, listPlaybooks as selectPlaybooks } from "./queries.ts";
import type { ListPlaybooksQuery, PlaybookSummary } from "./schemas.ts";

/** The caller's playbooks (active unless asked), newest first, then starters when asked. */
export async function listPlaybooks(
  pool: DatabasePool,
  caller: Caller,
  query: ListPlaybooksQuery = {},
): Promise<Page<PlaybookSummary>> {
  requireScope(caller, "read");
  const includeStarters = query.include_starters ?? false;
  const includeArchived = query.include_archived ?? false;
  return paginate(
    query,
    {
      rows: (limit, offset) =>
        selectPlaybooks(pool, caller.userId, { includeStarters, includeArchived, limit, offset }),
      total: () => countPlaybooks(pool, caller.userId, includeStarters, includeArchived),
    },
    toPlaybookSummary,
  );
}
