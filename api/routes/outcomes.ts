import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../../core/create-core.ts";
import { ListOutcomesQuery, Outcome, OutcomeRecorded, ReportOutcome } from "../../core/outcomes/index.ts";
import { page } from "../../core/pagination.ts";
import { authPlugin } from "../auth-plugin.ts";
import { examples } from "../examples.ts";
import { errors, PlaybookParams } from "../schemas.ts";

const tags = ["playbooks"];

/** Outcome reports (the REST twin of the MCP tool `report_outcome`) and their history. */
export const outcomeRoutes = (deps: Deps) => {
  const { outcomes } = deps.core;
  return new Elysia({ name: "outcome-routes" })
    .use(authPlugin(deps))
    .get(
      "/v1/playbooks/:id/outcomes",
      ({ caller, params, query }) => outcomes.list(caller, params.id, query),
      {
        auth: "read",
        params: PlaybookParams,
        query: ListOutcomesQuery,
        response: { 200: page(Outcome), ...errors(401, 403, 404, 422) },
        detail: { tags, operationId: "listOutcomes", summary: "Reported outcomes, newest first" },
      },
    )
    .post(
      "/v1/playbooks/:id/outcomes",
      async ({ caller, params, body, headers, set }) => {
        set.status = 201;
        return outcomes.report(caller, params.id, body, { idempotencyKey: headers["idempotency-key"] });
      },
      {
        auth: "write",
        params: PlaybookParams,
        headers: z.looseObject({
          "idempotency-key": z.string().max(200).optional().describe("Makes a retried report count once"),
        }),
        body: ReportOutcome.meta({ examples: [examples.reportOutcome] }),
        response: {
          201: OutcomeRecorded.meta({ examples: [examples.outcomeRecorded] }),
          ...errors(401, 403, 404, 409, 413, 422, 429),
        },
        detail: {
          tags,
          operationId: "reportOutcome",
          summary: "Report how a task went with this playbook (feeds the next evolution)",
        },
      },
    );
};
