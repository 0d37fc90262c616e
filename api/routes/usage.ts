import { Elysia } from "elysia";
import type { Deps } from "../../core/create-core.ts";
import { MAX_USAGE_RANGE_DAYS, UsageQuery, UsageSummary } from "../../core/usage/index.ts";
import { authPlugin } from "../auth-plugin.ts";
import { adminExamples } from "../examples-admin.ts";
import { errors } from "../schemas.ts";

/** The caller's token usage and cost, for the dashboard's Usage page or any billing view. */
export const usageRoutes = (deps: Deps) =>
  new Elysia({ name: "usage-routes" })
    .use(authPlugin(deps))
    .get("/v1/usage", ({ caller, query }) => deps.core.usage.summary(caller, query), {
      auth: "read",
      query: UsageQuery,
      response: {
        200: UsageSummary.meta({ examples: [adminExamples.usageSummary] }),
        ...errors(401, 403, 422),
      },
      detail: {
        tags: ["usage"],
        operationId: "getUsageSummary",
        summary:
          "Your LLM token usage, cost and evolutions: totals, a series by day/week/month, by playbook and by model",
        description: `Whole UTC days from \`from\` to \`to\` (both included; default the last 30 days), at most ${MAX_USAGE_RANGE_DAYS} days (422 beyond, or when \`from\` is after \`to\`). \`series\` has one row per period, empty periods included with zeros. Only your own usage. Needs the \`read\` scope.`,
      },
    });
