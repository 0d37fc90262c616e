import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../../core/create-core.ts";
import { EvolutionJob, EvolveNowAvailability, TriggerResult } from "../../core/evolution/index.ts";
import { Pagination, page } from "../../core/pagination.ts";
import { authPlugin } from "../auth-plugin.ts";
import { examples } from "../examples.ts";
import { adminExamples } from "../examples-admin.ts";
import { errors, PlaybookParams } from "../schemas.ts";

const tags = ["evolutions"];

/** Manual evolution triggers (the REST twin of the MCP tool `trigger_evolution`) and job status. */
export const evolutionRoutes = (deps: Deps) => {
  const { evolutions } = deps.core;
  return new Elysia({ name: "evolution-routes" })
    .use(authPlugin(deps))
    .post(
      "/v1/playbooks/:id/evolutions",
      async ({ caller, params, set }) => {
        const result = await evolutions.trigger(caller, params.id);
        set.status = result.is_new ? 202 : 200;
        return result;
      },
      {
        auth: "evolve",
        params: PlaybookParams,
        response: {
          200: TriggerResult,
          202: TriggerResult.meta({ examples: [examples.triggerResult] }),
          ...errors(401, 403, 404, 409, 429, 503),
        },
        detail: {
          tags,
          operationId: "triggerEvolution",
          summary: "Evolve the playbook now from its pending outcomes (returns the active job if one exists)",
        },
      },
    )
    .get(
      "/v1/playbooks/:id/evolutions/availability",
      ({ caller, params }) => evolutions.availability(caller, params.id),
      {
        auth: "read",
        params: PlaybookParams,
        response: {
          200: EvolveNowAvailability.meta({ examples: adminExamples.availability }),
          ...errors(401, 403, 404),
        },
        detail: {
          tags,
          operationId: "getEvolutionAvailability",
          summary: 'Whether "Evolve now" would start an evolution now, and if not why and until when',
          description:
            "The same checks as POST /v1/playbooks/{id}/evolutions, without triggering or spending anything: for a dashboard that disables the button with the reason. `available_at` says when a rate-limited trigger frees up. Starters: 403 (copy them first).",
        },
      },
    )
    .get(
      "/v1/playbooks/:id/evolutions",
      ({ caller, params, query }) => evolutions.list(caller, params.id, query),
      {
        auth: "read",
        params: PlaybookParams,
        query: Pagination,
        response: { 200: page(EvolutionJob), ...errors(401, 403, 404, 422) },
        detail: {
          tags,
          operationId: "listEvolutions",
          summary: "Evolution jobs of a playbook, newest first",
        },
      },
    )
    .get("/v1/evolutions/:job_id", ({ caller, params }) => evolutions.get(caller, params.job_id), {
      auth: "read",
      params: z.object({ job_id: z.string().describe("Evolution job id (UUID)") }),
      response: { 200: EvolutionJob, ...errors(401, 403, 404) },
      detail: { tags, operationId: "getEvolution", summary: "Status of one evolution job" },
    });
};
