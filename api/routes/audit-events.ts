import { Elysia } from "elysia";
import { AuditEvent, ListAuditEventsQuery } from "../../core/audit/index.ts";
import type { Deps } from "../../core/create-core.ts";
import { page } from "../../core/pagination.ts";
import { authPlugin } from "../auth-plugin.ts";
import { errors } from "../schemas.ts";

/** The account's security log, for the dashboard's security page. */
export const auditEventRoutes = (deps: Deps) =>
  new Elysia({ name: "audit-event-routes" })
    .use(authPlugin(deps))
    .get("/v1/audit-events", ({ caller, query }) => deps.core.audit.list(caller, query), {
      auth: true,
      query: ListAuditEventsQuery,
      response: { 200: page(AuditEvent), ...errors(401, 403, 422) },
      detail: {
        tags: ["auth"],
        operationId: "listAuditEvents",
        summary: "Your account's security events, newest first",
        description:
          "Sign-ins and failed sign-ins, lockouts, sign-outs, a reused refresh token, API keys created, renamed and revoked: when, from which IP address and client. Only your own events; failed sign-ins for an email with no account are recorded nowhere. Requires a signed-in session (JWT); API keys get 403. Kept for AUDIT_EVENT_RETENTION_DAYS.",
      },
    });
