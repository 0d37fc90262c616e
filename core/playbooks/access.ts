import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { type Caller, requireScope, type Scope } from "../auth/caller.ts";
import { isUuid, playbookArchived, playbookNotFound, starterReadOnly } from "./errors.ts";
import { findReadablePlaybook, lockPlaybook, type PlaybookRow } from "./queries.ts";

/**
 * The playbook if the caller may read it (their own, or a starter). Throws `not_found` otherwise,
 * including for another user's playbook and for ids that are not UUIDs; `forbidden` without
 * `read` (pass `scope: null` when the caller just wrote it under another scope).
 */
export async function readablePlaybook(
  db: CommonQueryMethods,
  caller: Caller,
  id: string,
  options: { scope?: Scope | null } = {},
): Promise<PlaybookRow> {
  if (options.scope !== null) requireScope(caller, options.scope ?? "read");
  const row = isUuid(id) ? await findReadablePlaybook(db, caller.userId, id) : null;
  if (!row) throw playbookNotFound();
  return row;
}

/**
 * The caller's own playbook, locked for the rest of the transaction. The use-case has checked the
 * caller's scope already. Throws `not_found` (missing or another user's), `forbidden` (a starter
 * is read-only for everyone), `conflict` (archived, unless `allowArchived`).
 */
export async function lockOwnPlaybook(
  tx: DatabaseTransactionConnection,
  caller: Caller,
  id: string,
  options: { allowArchived?: boolean } = {},
) {
  // Another user's playbook is never matched, so never locked: it simply does not exist here.
  const row = isUuid(id) ? await lockPlaybook(tx, id, caller.userId) : null;
  if (!row) throw playbookNotFound();
  if (row.source === "starter") throw starterReadOnly();
  if (row.status === "archived" && !options.allowArchived) throw playbookArchived();
  return row;
}
