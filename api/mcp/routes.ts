import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Elysia } from "elysia";
import type { AppDeps } from "../app.ts";
import { authenticate, authInfoFor } from "./auth.ts";
import { rejectForeignOrigin } from "./origin.ts";
import { createMcpServer } from "./server.ts";

/**
 * The stateless server offers no SSE stream (GET) and no session to end (DELETE); the spec
 * allows 405 for both. The body is JSON-RPC shaped so MCP clients can show it.
 */
function methodNotAllowed(): Response {
  return Response.json(
    {
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: this MCP endpoint is stateless; use POST." },
      id: null,
    },
    { status: 405, headers: { allow: "POST" } },
  );
}

/** Origin check, then the caller (401 before any JSON-RPC), then one stateless transport. */
async function handlePost(deps: AppDeps, request: Request): Promise<Response> {
  const foreign = rejectForeignOrigin(request, deps.config.http.allowedOrigins);
  if (foreign) return foreign;
  const caller = await authenticate(deps, request);
  if (caller instanceof Response) return caller;
  const server = createMcpServer(deps);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { authInfo: authInfoFor(caller) });
  } finally {
    // With JSON responses the whole answer is built by now, so the server can go.
    await server.close();
  }
}

/** MCP Streamable HTTP at `/mcp`: POST carries JSON-RPC; GET and DELETE answer 405. */
export const mcpRoutes = (deps: AppDeps) =>
  new Elysia({ name: "mcp-routes" })
    .post("/mcp", ({ request }) => handlePost(deps, request), { parse: "none", detail: { hide: true } })
    .get(
      "/mcp",
      ({ request }) => rejectForeignOrigin(request, deps.config.http.allowedOrigins) ?? methodNotAllowed(),
      {
        detail: { hide: true },
      },
    )
    .delete(
      "/mcp",
      ({ request }) => rejectForeignOrigin(request, deps.config.http.allowedOrigins) ?? methodNotAllowed(),
      { detail: { hide: true } },
    );
