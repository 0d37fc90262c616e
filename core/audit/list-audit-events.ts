import type { DatabasePool } from "slonik";
import type { Caller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { type Page, paginate } from "../pagination.ts";
import { type AuditEventRow, countAuditEvents, selectAuditEvents } from "./queries.ts";
import type { AuditEvent, ListAuditEventsQuery } from "./schemas.ts";

const toAuditEvent = (row: AuditEventRow): AuditEvent => ({
  id: row.id,
  type: row.type as AuditEvent["type"],
  ip_address: row.ip_address,
  user_agent: row.user_agent,
  details: row.details,
  created_at: row.created_at.toISOString(),
});

/**
 * The caller's own security events, newest first, optionally of one type. Signed-in sessions
 * only: the trail shows where and when the owner signs in, which an agent's API key has no need
 * to read (and a leaked key must not reveal). Throws `forbidden` for API-key callers.
 */
export async function listAuditEvents(
  pool: DatabasePool,
  caller: Caller,
  query: ListAuditEventsQuery = {},
): Promise<Page<AuditEvent>> {
  if (caller.via !== "jwt") {
    throw new AppError(
      "forbidden",
      "The security log is readable from a signed-in session, not with an API key.",
      {
        details: { required: "session" },
      },
    );
  }
  return paginate(
    query,
    {
      rows: (limit, offset) => selectAuditEvents(pool, caller.userId, { type: query.type, limit, offset }),
      total: () => countAuditEvents(pool, caller.userId, query.type),
    },
    toAuditEvent,
  );
}
