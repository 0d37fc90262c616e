import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { isUuid, playbookNotFound, starterReadOnly } from "./errors.ts";
import { findPlaybookAccess, findReadablePlaybook, lockPlaybook, type PlaybookRow } from "./queries.ts";

/**
 * The playbook if the caller may read it (their own, or a starter). Throws `not_found` otherwise,
 * including for another user's playbook and for ids that are not UUIDs; `forbidden` without `read`.
 */
export async function readablePlaybook(
  db: CommonQueryMethods,
  caller: Caller,
  id: string,
): Promise<PlaybookRow> {
  requireScope(caller, "read");
  const row = isUuid(id) ? await findReadablePlaybook(db, caller.userId, id) : null;
  if (!row) throw playbookNotFound();
  return row;
}

/**
 * Locks the caller's own playbook for this transaction (`lock: false` only checks access). Throws `not_found` (missing or another
 * user's) or `forbidden` (a starter: read-only for everyone; or a key without `write`).
 */
export async function lockOwnPlaybook(
  tx: DatabaseTransactionConnection,
  caller: Caller,
  id: string,
  options: { lock?: boolean } = {},
) {
  requireScope(caller, "write");
  const find = options.lock === false ? findPlaybookAccess : lockPlaybook;
  const row = isUuid(id) ? await find(tx, id) : null;
  if (!row) throw playbookNotFound();
  if (row.source === "starter") throw starterReadOnly();
  if (row.user_id !== caller.userId) throw playbookNotFound();
  return row;
}
