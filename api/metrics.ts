import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../core/config.ts";
import { AppError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "../core/metrics/index.ts";
import { errorResponse } from "./errors.ts";
import { requestIdFrom } from "./request-context.ts";

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function holdsToken(authorization: string | null, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * The Prometheus scrape: this process's metrics for `Authorization: Bearer <METRICS_TOKEN>`,
 * 401 for anything else. Used by the `/metrics` route and by the separate metrics listener.
 */
export async function metricsResponse(request: Request, token: string, logger: Logger): Promise<Response> {
  if (!holdsToken(request.headers.get("authorization"), token)) {
    const error = new AppError(
      "unauthenticated",
      "Scraping metrics needs Authorization: Bearer <METRICS_TOKEN>.",
    );
    return errorResponse(error, requestIdFrom(request));
  }
  const text = await renderMetrics((error) =>
    logger.warn("metrics: queue depth unavailable", { error: (error as Error).message }),
  );
  return new Response(text, {
    headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" },
  });
}

/**
 * The metrics-only listener on METRICS_HOST:METRICS_PORT: how a `bun run worker` process (which
 * serves no HTTP otherwise) is scraped, and how an API process keeps /metrics off its public
 * port. Answers `GET /metrics` only. Null when METRICS_PORT is unset.
 */
export function serveMetricsListener(config: Config, logger: Logger) {
  const { token, host, port } = config.metrics;
  if (!token || port === undefined) return null;
  return Bun.serve({
    hostname: host,
    port,
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/metrics" && (request.method === "GET" || request.method === "HEAD")) {
        return metricsResponse(request, token, logger);
      }
      return errorResponse(
        new AppError("not_found", "This listener serves GET /metrics only."),
        requestIdFrom(request),
      );
    },
  });
}
