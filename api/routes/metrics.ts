import { Elysia } from "elysia";
import type { Deps } from "../../core/create-core.ts";
import { metricsResponse } from "../metrics.ts";

/**
 * `GET /metrics` on the HTTP port, for Prometheus: mounted only when METRICS_TOKEN is set and no
 * METRICS_PORT moves it to its own listener (otherwise the path is a plain 404). Left out of the
 * OpenAPI document: it is for the operator's scraper, not for API clients.
 */
export const metricsRoutes = ({ config, logger }: Pick<Deps, "config" | "logger">) => {
  const { token, port } = config.metrics;
  const plugin = new Elysia({ name: "metrics" });
  if (!token || port !== undefined) return plugin;
  return plugin.get("/metrics", ({ request }) => metricsResponse(request, token, logger), {
    detail: { hide: true },
  });
};
