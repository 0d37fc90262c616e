export { listAuditEvents } from "./list-audit-events.ts";
export { type AuditClient, recordAuditEvent } from "./record.ts";
export * from "./schemas.ts";
