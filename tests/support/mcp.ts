import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { TestApp } from "./app.ts";
import { newKey, signUp } from "./auth.ts";

/** The SDK's own client, connected to the app's `/mcp` in-process (initialize included). */
export async function connectMcp(app: TestApp, headers: Record<string, string>): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL("http://localhost/mcp"), {
    requestInit: { headers },
    fetch: (url, init) => app.fetch(new URL(String(url)).pathname, init),
  });
  const client = new Client({ name: "ace-tests", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** tools/call, typed as the plain tool result (no task results in our server). */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a tool result's first content block. */
export const textOf = (result: CallToolResult): string =>
  result.content[0]?.type === "text" ? result.content[0].text : "";

/** Headers of a raw JSON-RPC POST to /mcp. */
export const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-06-18",
};

/** A new user with an API key of the given scopes, and the headers an MCP client sends. */
export async function agentKey(app: TestApp, scopes: string[] = ["read", "write", "evolve"]) {
  const session = await signUp(app);
  const key = await newKey(app, session.access_token, { name: "agent", scopes });
  return {
    accessToken: session.access_token,
    key: key.key,
    keyId: key.id,
    headers: { authorization: `Bearer ${key.key}` } as Record<string, string>,
  };
}

/** Creates a playbook over REST as the key's owner; returns its id. */
export async function restPlaybook(app: TestApp, headers: Record<string, string>, content: string) {
  const response = await app.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "mine", content },
    headers,
  });
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}
