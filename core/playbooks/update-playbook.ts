import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { lockOwnPlaybook } from "./access.ts";
import { getPlaybook } from "./get-playbook.ts";
import { updatePlaybook as updateRow } from "./queries.ts";
import type { PlaybookDetail, UpdatePlaybook } from "./schemas.ts";

/**
 * Renames, re-describes or (un)archives the caller's playbook.
 * Throws `not_found` (missing, another user's) or `forbidden` (a starter).
 */
export async function updatePlaybook(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  input: UpdatePlaybook,
): Promise<PlaybookDetail> {
  requireScope(caller, "write");
  await pool.transaction(async (tx) => {
    await lockOwnPlaybook(tx, caller, id, { allowArchived: true });
    await updateRow(tx, id, input);
  });
  return getPlaybook(pool, caller, id, { scope: null });
}

/** Archives (soft-deletes) the caller's playbook: hidden from lists, history and outcomes kept. */
export function archivePlaybook(pool: DatabasePool, caller: Caller, id: string): Promise<PlaybookDetail> {
  return updatePlaybook(pool, caller, id, { status: "archived" });
}
