import type { CommonQueryMethods } from "slonik";
import { insertAuditEvent } from "./queries.ts";
import type { AuditEventType } from "./schemas.ts";

/** Where a request came from, as the transport saw it (the same shape auth's ClientInfo has). */
export interface AuditClient {
  ip?: string | null;
  userAgent?: string | null;
}

/**
 * Records a security event of `userId`. Pass the transaction that makes the event happen, so
 * the event and its record commit together or not at all. `details` must never hold a secret:
 * ids, names, public key prefixes and counts only.
 */
export function recordAuditEvent(
  db: CommonQueryMethods,
  event: {
    userId: string;
    type: AuditEventType;
    client?: AuditClient;
    details?: Record<string, unknown>;
    now?: Date;
  },
): Promise<unknown> {
  return insertAuditEvent(db, {
    userId: event.userId,
    type: event.type,
    ip: event.client?.ip ?? null,
    userAgent: event.client?.userAgent?.slice(0, 300) ?? null,
    details: event.details ?? {},
    at: event.now ?? new Date(),
  });
}
