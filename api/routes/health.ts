import { Elysia, t } from "elysia";
import type { Core } from "../../core/create-core.ts";

const Readiness = t.Object({
  ready: t.Boolean(),
  checks: t.Object({
    database: t.Boolean(),
    migrations: t.Boolean(),
    worker: t.Union([t.Boolean(), t.Literal("disabled")]),
  }),
});

/** Liveness (the process answers) and readiness (it can do its job) for load balancers and Docker. */
export const healthRoutes = (core: Core) =>
  new Elysia({ name: "health" })
    .get("/health", () => ({ status: "ok" as const }), {
      detail: { tags: ["ops"], summary: "Liveness", operationId: "getHealth", security: [] },
      response: { 200: t.Object({ status: t.Literal("ok") }) },
    })
    .get(
      "/ready",
      async ({ set }) => {
        const report = await core.health.readiness();
        set.status = report.ready ? 200 : 503;
        return report;
      },
      {
        detail: { tags: ["ops"], summary: "Readiness", operationId: "getReadiness", security: [] },
        response: { 200: Readiness, 503: Readiness },
      },
    );
