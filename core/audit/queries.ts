import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import type { AuditEventType } from "./schemas.ts";

/** Every SQL statement of the audit trail. Each takes the connection first. */

export const AuditEventRow = z.object({
  id: z.string(),
  type: z.string(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  created_at: z.date(),
});
export type AuditEventRow = z.infer<typeof AuditEventRow>;

export interface NewAuditEvent {
  userId: string;
  type: AuditEventType;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  at: Date;
}

export const insertAuditEvent = (db: CommonQueryMethods, e: NewAuditEvent) =>
  db.query(sql.unsafe`
    insert into audit_events (user_id, type, ip_address, user_agent, details, created_at)
    values (${e.userId}, ${e.type}, ${e.ip}, ${e.userAgent}, ${sql.jsonb(e.details as never)}, ${sql.timestamp(e.at)})`);

const filterOf = (userId: string, type: AuditEventType | undefined) =>
  type ? sql.fragment`user_id = ${userId} and type = ${type}` : sql.fragment`user_id = ${userId}`;

/** One page of a user's events, newest first (insertion order breaks ties, so pages never overlap). */
export const selectAuditEvents = (
  db: CommonQueryMethods,
  userId: string,
  q: { type?: AuditEventType; limit: number; offset: number },
) =>
  db.any(sql.type(AuditEventRow)`
    select id, type, ip_address, user_agent, details, created_at from audit_events
    where ${filterOf(userId, q.type)}
    order by created_at desc, seq desc
    limit ${q.limit} offset ${q.offset}`);

export const countAuditEvents = (db: CommonQueryMethods, userId: string, type?: AuditEventType) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from audit_events where ${filterOf(userId, type)}`);

/** Deletes up to `batch` events older than `before`; returns how many went. */
export const deleteAuditEventsBefore = (db: CommonQueryMethods, before: Date, batch: number) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    with gone as (
      delete from audit_events where id in (
        select id from audit_events where created_at < ${sql.timestamp(before)}
        limit ${batch} for update skip locked)
      returning 1)
    select count(*)::int as n from gone`);
