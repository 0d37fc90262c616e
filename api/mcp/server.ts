import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv-provider.js";
import type { Deps } from "../../core/create-core.ts";
import { INSTRUCTIONS } from "./instructions.ts";
import { registerPlaybookResources } from "./resources.ts";
import { registerLoopTools } from "./tools/loop.ts";
import { registerPlaybookTools } from "./tools/playbooks.ts";

export const SERVER_INFO = { name: "ace-platform", version: "0.1.0" };

// Building an Ajv instance costs milliseconds; by default the SDK builds one per server, which
// here means per request. One shared, stateless validator serves them all.
const validator = new AjvJsonSchemaValidator();

/**
 * A fresh MCP server with the playbook tools and resources. One is built per HTTP request
 * (stateless transport), so nothing about a caller outlives its request.
 */
export function createMcpServer(deps: Deps): McpServer {
  const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, jsonSchemaValidator: validator });
  registerPlaybookTools(server, deps);
  registerLoopTools(server, deps);
  registerPlaybookResources(server, deps);
  return server;
}

/**
 * Methods that leave nothing on a server: `initialize` records the client's capabilities and
 * `logging/setLevel` a level, so a server that saw anything else is not reused.
 */
const STATELESS_METHODS = new Set([
  "tools/call",
  "tools/list",
  "resources/list",
  "resources/read",
  "resources/templates/list",
  "ping",
]);

const reusable = (body: unknown) =>
  typeof body === "object" &&
  body !== null &&
  !Array.isArray(body) &&
  STATELESS_METHODS.has(String((body as { method?: unknown }).method));

/**
 * Servers built once and reused across requests (issue 13: building one with its tools cost
 * ~0.3 ms a request). A server serves one request at a time: taken from the free list, connected
 * to that request's transport, closed (which detaches the transport) and put back. Only requests
 * whose method leaves no state on the server (STATELESS_METHODS) get a reused one, and the
 * caller travels with each request (authInfo), never on the server.
 */
export function createMcpServerPool(deps: Deps, maxIdle = 64) {
  const idle: McpServer[] = [];
  return {
    async use<T>(body: unknown, run: (server: McpServer) => Promise<T>): Promise<T> {
      const keep = reusable(body);
      const server = (keep && idle.pop()) || createMcpServer(deps);
      try {
        return await run(server);
      } finally {
        await server.close();
        if (keep && idle.length < maxIdle) idle.push(server);
      }
    },
  };
}
