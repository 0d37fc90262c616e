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
