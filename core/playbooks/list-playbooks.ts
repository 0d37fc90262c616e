import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { toPlaybookSummary } from "./mappers.ts";
import { countPlaybooks, listPlaybooks as selectPlaybooks } from "./queries.ts";
import type { ListPlaybooksQuery, PlaybookSummary } from "./schemas.ts";

export const DEFAULT_PAGE_SIZE = 20;

/** The page shape every list returns. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  next_offset: number | null;
}

/** The page bounds of a list query, with the defaults applied. */
export function pageBounds(query: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, offset: query.offset ?? 0 };
}

export function toPage<T>(items: T[], total: number, limit: number, offset: number): Page<T> {
  return {
    items,
    total,
    limit,
    offset,
    next_offset: offset + items.length < total ? offset + items.length : null,
  };
}

/** The caller's playbooks (active unless asked), newest first, then starters when asked. */
export async function listPlaybooks(
  pool: DatabasePool,
  caller: Caller,
  query: ListPlaybooksQuery = {},
): Promise<Page<PlaybookSummary>> {
  requireScope(caller, "read");
  const { limit, offset } = pageBounds(query);
  const includeStarters = query.include_starters ?? false;
  const includeArchived = query.include_archived ?? false;
  const [rows, total] = await Promise.all([
    selectPlaybooks(pool, caller.userId, { includeStarters, includeArchived, limit, offset }),
    countPlaybooks(pool, caller.userId, includeStarters, includeArchived),
  ]);
  return toPage(rows.map(toPlaybookSummary), total, limit, offset);
}
