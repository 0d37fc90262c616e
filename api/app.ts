import { Elysia } from "elysia";
import type { DatabasePool } from "slonik";
import type { Config } from "../core/config.ts";
import { AppError, asAppError } from "../core/errors.ts";
import { type Logger, withLogContext } from "../core/logger.ts";
import { errorResponse, validationError } from "./errors.ts";
import { mcpRoutes } from "./mcp/routes.ts";
import { openapiPlugin } from "./openapi.ts";
import { currentRequestContext, requestIdFrom, runInRequestContext } from "./request-context.ts";
import { authRoutes } from "./routes/auth.ts";
import { evolutionRoutes } from "./routes/evolutions.ts";
import { healthRoutes } from "./routes/health.ts";
import { outcomeRoutes } from "./routes/outcomes.ts";
import { playbookRoutes } from "./routes/playbooks.ts";
import { versionRoutes } from "./routes/versions.ts";

export interface AppDeps {
  config: Config;
  pool: DatabasePool;
  logger: Logger;
  /** Present when the worker runs in this process; readiness then includes it. */
  workerRunning?: () => boolean;
}

/** Maps every error a route can raise to the one JSON envelope; unknown errors never leak. */
function handleError(logger: Logger) {
  return ({ code, error }: { code: unknown; error: unknown }) => {
    const requestId = currentRequestContext()?.requestId ?? "unknown";
    const known = asAppError(error);
    if (known) return errorResponse(known, requestId);
    if (code === "VALIDATION") return errorResponse(validationError(error as never), requestId);
    if (code === "NOT_FOUND") return errorResponse(new AppError("not_found", "No such route"), requestId);
    if (code === "PARSE") {
      const response = errorResponse(
        new AppError(
          "invalid_input",
          "The request body is not valid JSON (or not the declared content type)",
        ),
        requestId,
      );
      return new Response(response.body, { status: 400, headers: response.headers });
    }
    logger.error("unhandled error", { error });
    return errorResponse(
      new AppError(
        "internal",
        `Something went wrong on our side. Quote request id ${requestId} if it persists.`,
      ),
      requestId,
    );
  };
}

/** The Elysia application with every route; no server is started here. */
export function createApp(deps: AppDeps) {
  return new Elysia({ name: "ace-platform" })
    .onError(handleError(deps.logger))
    .use(openapiPlugin())
    .use(healthRoutes(deps.pool, deps.workerRunning))
    .use(authRoutes(deps))
    .use(playbookRoutes(deps))
    .use(versionRoutes(deps))
    .use(outcomeRoutes(deps))
    .use(evolutionRoutes(deps))
    .use(mcpRoutes(deps));
}

export type App = ReturnType<typeof createApp>;

/**
 * The fetch handler the server (and tests) call: sets the request id and client address for the
 * request's logs, refuses oversized bodies before reading them, and logs one line per request.
 */
export function createFetchHandler(app: { handle(request: Request): Promise<Response> }, deps: AppDeps) {
  const limit = deps.config.http.bodyMaxBytes;
  return (request: Request, ip = "127.0.0.1"): Promise<Response> => {
    const requestId = requestIdFrom(request);
    return runInRequestContext({ requestId, ip }, () =>
      withLogContext({ request_id: requestId }, async () => {
        const started = performance.now();
        const length = Number(request.headers.get("content-length") ?? 0);
        const response =
          length > limit
            ? errorResponse(
                new AppError("payload_too_large", `The request body is larger than the ${limit}-byte limit`, {
                  details: { limit_bytes: limit },
                }),
                requestId,
              )
            : await app.handle(request);
        response.headers.set("x-request-id", requestId);
        const url = new URL(request.url);
        deps.logger.info("request", {
          method: request.method,
          path: url.pathname,
          status: response.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
        return response;
      }),
    );
  };
}
