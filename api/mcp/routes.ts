import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Elysia } from "elysia";
import type { Deps } from "../../core/create-core.ts";
import { methodNotAllowed } from "../method-not-allowed.ts";
import { currentRequestContext } from "../request-context.ts";
import { authenticate, authInfoFor } from "./auth.ts";
import { readJsonRpc } from "./jsonrpc.ts";
import { corsHeaders, preflight, rejectForeignOrigin } from "./origin.ts";
import { createMcpServerPool } from "./server.ts";

type McpServerPool = ReturnType<typeof createMcpServerPool>;

/**
 * The stateless server offers no SSE stream (GET) and no session to end (DELETE); the spec
 * allows 405 for both. The body is JSON-RPC shaped so MCP clients can show it.
 */
const refuseMethod = (request: Request) =>
  methodNotAllowed(
    request,
    ["POST", "OPTIONS"],
    currentRequestContext()?.requestId ?? "unknown",
    "Method not allowed: this MCP endpoint is stateless; use POST.",
  );

/** The response with the CORS headers an allowed browser origin needs to read it. */
function withCors(response: Response, request: Request, deps: Deps): Response {
  for (const [name, value] of Object.entries(corsHeaders(request, deps.config.http.allowedOrigins))) {
    response.headers.set(name, value);
  }
  return response;
}

/** Origin check, then the caller (401 before any JSON-RPC), then one stateless transport. */
async function handlePost(deps: Deps, servers: McpServerPool, request: Request): Promise<Response> {
  const foreign = rejectForeignOrigin(request, deps.config.http.allowedOrigins);
  if (foreign) return foreign;
  const caller = await authenticate(deps.core, request);
  if (caller instanceof Response) return caller;
  const body = await readJsonRpc(request);
  if (body instanceof Response) return body;
  // A stateless transport serves exactly one request; the server may be a reused one.
  return servers.use(body.parsedBody, async (server) => {
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    // With JSON responses the whole answer is built when this returns, so the server can be closed.
    return transport.handleRequest(request, { authInfo: authInfoFor(caller), ...body });
  });
}

const refuseOther =
  (deps: Deps) =>
  ({ request }: { request: Request }) =>
    rejectForeignOrigin(request, deps.config.http.allowedOrigins) ?? refuseMethod(request);

/**
 * MCP Streamable HTTP at `/mcp`: POST carries JSON-RPC; OPTIONS answers CORS preflights for
 * ALLOWED_ORIGINS; every other method is 405.
 */
export const mcpRoutes = (deps: Deps) => {
  const servers = createMcpServerPool(deps);
  return new Elysia({ name: "mcp-routes" })
    .post("/mcp", async ({ request }) => withCors(await handlePost(deps, servers, request), request, deps), {
      parse: "none",
      detail: { hide: true },
    })
    .options("/mcp", ({ request }) => preflight(request, deps.config.http.allowedOrigins), {
      detail: { hide: true },
    })
    .all("/mcp", refuseOther(deps), { detail: { hide: true } });
};
