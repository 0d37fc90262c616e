import { Elysia } from "elysia";
import type { Deps } from "../core/create-core.ts";
import { reportError } from "../core/error-tracking.ts";
import { AppError, asAppError } from "../core/errors.ts";
import { type Logger, withLogContext } from "../core/logger.ts";
import { recordHttpRequest } from "../core/metrics/index.ts";
import { assertStorableText } from "../core/storable-text.ts";
import { adminStatic } from "./admin-static.ts";
import { errorResponse, validationError } from "./errors.ts";
import { mcpRoutes } from "./mcp/routes.ts";
import { allowedMethods, methodNotAllowed, type RouteList } from "./method-not-allowed.ts";
import { openapiPlugin } from "./openapi.ts";
import { currentRequestContext, noteRoute, requestIdFrom, runInRequestContext } from "./request-context.ts";
import { createRequestGate } from "./request-gate.ts";
import { auditEventRoutes } from "./routes/audit-events.ts";
import { authRoutes } from "./routes/auth.ts";
import { eventRoutes } from "./routes/events.ts";
import { evolutionRoutes } from "./routes/evolutions.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { outcomeRoutes } from "./routes/outcomes.ts";
import { playbookRoutes } from "./routes/playbooks.ts";
import { usageRoutes } from "./routes/usage.ts";
import { versionRoutes } from "./routes/versions.ts";
import { applySecurityHeaders } from "./security-headers.ts";

const reportUnexpected = (error: unknown, requestId: string) =>
  reportError(error, {
    requestId,
    tags: { transport: "rest", route: currentRequestContext()?.route ?? "unmatched" },
  });

/** Maps every error a route can raise to the one JSON envelope; unknown errors never leak. */
function handleError(logger: Logger, methodsFor: (path: string) => string[]) {
  return ({ code, error, request }: { code: unknown; error: unknown; request: Request }) => {
    const requestId = currentRequestContext()?.requestId ?? "unknown";
    const known = asAppError(error);
    if (!known || known.code === "internal") {
      // A 500 is a bug or an outage of ours: to Sentry (when configured) with the request id.
      if (!["VALIDATION", "NOT_FOUND", "PARSE"].includes(String(code))) reportUnexpected(error, requestId);
    }
    if (known) return errorResponse(known, requestId);
    if (code === "VALIDATION") return errorResponse(validationError(error as never), requestId);
    if (code === "NOT_FOUND") {
      const allow = methodsFor(new URL(request.url).pathname);
      if (allow.length === 0 || allow.includes(request.method)) {
        return errorResponse(new AppError("not_found", "No such route"), requestId);
      }
      return methodNotAllowed(request, allow, requestId);
    }
    if (code === "PARSE") {
      const message = "The request body is not valid JSON (or not the declared content type)";
      return errorResponse(
        new AppError("invalid_input", message, { details: { reason: "malformed_body" } }),
        requestId,
      );
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

export interface AppOptions {
  /** A built dashboard (admin/build) to serve at `/`; without it only the API answers. */
  adminDir?: string;
}

/** The Elysia application with every route; no server is started here. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  let routes: RouteList = () => [];
  const app = new Elysia({ name: "ace-platform" })
    // First: the dashboard's files and client routes are answered before any API routing.
    .use(adminStatic(options.adminDir))
    .onError(
      handleError(
        deps.logger,
        allowedMethods(() => routes()),
      ),
    )
    // Runs first for every routed request (before authentication): the route template for metrics.
    .onTransform({ as: "global" }, ({ route }) => noteRoute(route))
    // After authentication and schema validation, before any handler: one check for every body.
    .onBeforeHandle({ as: "global" }, ({ body }) => assertStorableText(body))
    .use(openapiPlugin())
    .use(healthRoutes(deps.core))
    .use(metricsRoutes(deps))
    .use(authRoutes(deps))
    .use(auditEventRoutes(deps))
    .use(playbookRoutes(deps))
    .use(versionRoutes(deps))
    .use(outcomeRoutes(deps))
    .use(evolutionRoutes(deps))
    .use(usageRoutes(deps))
    .use(eventRoutes(deps))
    .use(mcpRoutes(deps));
  routes = () => app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;

/** Paths are logged up to this many characters: a client chooses their length. */
const LOGGED_PATH_CHARS = 200;

const loggedPath = (path: string) =>
  path.length <= LOGGED_PATH_CHARS ? path : `${path.slice(0, LOGGED_PATH_CHARS)}…(${path.length} chars)`;

/**
 * The fetch handler the server (and tests) call: sets the request id and client address for the
 * request's logs, runs the request gate (size, media type, nesting: api/request-gate.ts), adds
 * the security headers (api/security-headers.ts) and logs one line per request.
 */
export function createFetchHandler(
  app: { handle(request: Request): Promise<Response> },
  deps: Pick<Deps, "core" | "config" | "logger">,
) {
  const gate = createRequestGate(deps);
  return (request: Request, ip = "127.0.0.1"): Promise<Response> => {
    const requestId = requestIdFrom(request);
    return runInRequestContext({ requestId, ip }, () =>
      withLogContext({ request_id: requestId }, async () => {
        const started = performance.now();
        const url = new URL(request.url);
        const accepted = await gate(request, url, requestId);
        const response = accepted instanceof Response ? accepted : await app.handle(accepted);
        response.headers.set("x-request-id", requestId);
        applySecurityHeaders(response, request, deps.config);
        const seconds = (performance.now() - started) / 1000;
        recordHttpRequest(request.method, currentRequestContext()?.route, response.status, seconds);
        deps.logger.info("request", {
          method: request.method,
          path: loggedPath(url.pathname),
          status: response.status,
          ms: Math.round(seconds * 10_000) / 10,
        });
        return response;
      }),
    );
  };
}
