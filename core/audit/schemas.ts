import { z } from "zod";
import { Pagination } from "../pagination.ts";

/** Security events of an account (the `audit_events.type` check lists the same set). */
export const AUDIT_EVENT_TYPES = [
  "signed_in",
  "sign_in_failed",
  "account_locked",
  "signed_out",
  "signed_out_everywhere",
  "refresh_token_reuse_detected",
  "api_key_created",
  "api_key_renamed",
  "api_key_revoked",
] as const;
export const AuditEventType = z
  .enum(AUDIT_EVENT_TYPES)
  .describe(
    "signed_in · sign_in_failed (wrong password) · account_locked (too many failures) · signed_out · signed_out_everywhere · refresh_token_reuse_detected (a copied refresh token was used: that sign-in was ended) · api_key_created / api_key_renamed / api_key_revoked",
  );
export type AuditEventType = z.infer<typeof AuditEventType>;

export const AuditEvent = z.object({
  id: z.uuid(),
  type: AuditEventType,
  ip_address: z.string().nullable().describe("Client address the request came from, when known"),
  user_agent: z.string().nullable().describe("The client's User-Agent (first 300 characters), when sent"),
  details: z
    .record(z.string(), z.unknown())
    .describe(
      "Per type: api_key_id, name, prefix, scopes (key events; previous_name on rename), locked_seconds (account_locked), sessions_ended (signed_out_everywhere). Never a secret.",
    ),
  created_at: z.iso.datetime(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ListAuditEventsQuery = Pagination.extend({
  type: AuditEventType.optional().describe("Only events of this type"),
});
export type ListAuditEventsQuery = z.infer<typeof ListAuditEventsQuery>;
