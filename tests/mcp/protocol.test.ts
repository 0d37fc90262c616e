import { beforeAll, describe, expect, test } from "bun:test";
import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { createTestApp, type TestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";
import { agentKey, callTool, connectMcp, MCP_HEADERS, textOf } from "../support/mcp.ts";

const db = useTestDatabase();
let app: TestApp;
let auth: Record<string, string>;

beforeAll(async () => {
  app = createTestApp(db.pool, { ALLOWED_ORIGINS: "https://app.example.com" });
  auth = (await agentKey(app)).headers;
});

const post = (body: string, headers: Record<string, string> = {}) =>
  app.fetch("/mcp", { method: "POST", body, headers: { ...MCP_HEADERS, ...auth, ...headers } });

const listTools = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });

describe("initialize and discovery", () => {
  test("initialize returns the loop instructions and the tools and resources capabilities", async () => {
    const client = await connectMcp(app, auth);
    expect(client.getServerVersion()?.name).toBe("ace-platform");
    expect(client.getInstructions()).toContain("report_outcome");
    expect(client.getInstructions()).toContain("get_playbook");
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} });
  });

  test("tools/list describes the six tools with input and output schemas and annotations", async () => {
    const client = await connectMcp(app, auth);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "create_playbook",
      "get_evolution_status",
      "get_playbook",
      "list_playbooks",
      "report_outcome",
      "trigger_evolution",
    ]);
    const get = tools.find((t) => t.name === "get_playbook");
    expect(get?.inputSchema.required).toEqual(["playbook_id"]);
    expect(Object.keys(get?.inputSchema.properties ?? {})).toEqual([
      "playbook_id",
      "section",
      "version",
      "if_version",
    ]);
    expect(get?.outputSchema?.required).toContain("version_number");
    expect(get?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    const report = tools.find((t) => t.name === "report_outcome");
    expect(report?.inputSchema.required).toEqual(["task_description", "outcome", "playbook_id"]);
    expect(report?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(60);
  });

  test("a tools/call works without a prior initialize (stateless)", async () => {
    const response = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "list_playbooks", arguments: {} },
      }),
    );
    expect(response.status).toBe(200);
    expect((await response.json()).result.structuredContent.playbooks).toEqual([]);
  });
});

describe("HTTP methods, origin, protocol version", () => {
  test("GET, DELETE and other methods answer 405 with Allow (no SSE stream, no session)", async () => {
    for (const method of ["GET", "DELETE", "PUT", "PATCH"]) {
      const response = await app.fetch("/mcp", { method, headers: { ...MCP_HEADERS, ...auth } });
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    }
  });

  test("a same-origin page on a non-loopback host is refused (DNS rebinding)", async () => {
    const rebound = await post(listTools, { host: "evil.example:3000", origin: "http://evil.example:3000" });
    expect(rebound.status).toBe(403);
  });

  test("CORS: an allowed origin gets a preflight answer and can read responses; others cannot", async () => {
    const preflight = await app.fetch("/mcp", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, mcp-protocol-version",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("mcp-protocol-version");
    const served = await post(listTools, { origin: "https://app.example.com" });
    expect(served.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const foreign = await app.fetch("/mcp", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect((await post(listTools)).headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a browser Origin that is neither allowed nor same-origin is refused with 403", async () => {
    const response = await post(listTools, { origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toContain("ALLOWED_ORIGINS");
    expect((await post(listTools, { origin: "null" })).status).toBe(403);
  });

  test("an allowed Origin and a same-origin page are served", async () => {
    expect((await post(listTools, { origin: "https://app.example.com" })).status).toBe(200);
    expect((await post(listTools, { origin: "http://localhost" })).status).toBe(200);
  });

  test("an unsupported MCP-Protocol-Version is a 400; initialize negotiates a supported one", async () => {
    const response = await post(listTools, { "mcp-protocol-version": "1999-01-01" });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toContain("Unsupported protocol version");
    const init = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "1999-01-01",
          capabilities: {},
          clientInfo: { name: "old", version: "0" },
        },
      }),
    );
    expect((await init.json()).result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  });
});

describe("malformed JSON-RPC", () => {
  test("invalid JSON is a -32700 parse error", async () => {
    const response = await post("{not json");
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32700);
  });

  test("JSON that is not a JSON-RPC message, or an empty batch, is -32600 Invalid Request", async () => {
    for (const body of [{ hello: "world" }, [], [{ jsonrpc: "2.0", id: 1, method: "ping" }, 42], "text"]) {
      const response = await post(JSON.stringify(body));
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      const answer = await response.json();
      expect(answer.error.code).toBe(-32600);
      expect(answer.error.message).toStartWith("Invalid Request");
    }
  });

  test("malformed tools/call or resources/read params are -32602 with a readable message", async () => {
    for (const params of [undefined, { name: 7 }, { name: "list_playbooks", arguments: [] }]) {
      const response = await post(JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/call", params }));
      const answer = await response.json();
      expect({ params, code: answer.error?.code }).toEqual({ params, code: -32602 });
      expect(answer.error.message).toContain('"name": string');
    }
    for (const params of [{}, { uri: 42 }, { uri: "not a uri" }]) {
      const response = await post(
        JSON.stringify({ jsonrpc: "2.0", id: 5, method: "resources/read", params }),
      );
      expect((await response.json()).error.code).toBe(-32602);
    }
  });

  test('"arguments": null is read as no arguments', async () => {
    const response = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 6,
        method: "tools/call",
        params: { name: "list_playbooks", arguments: null },
      }),
    );
    expect((await response.json()).result.isError).toBeFalsy();
  });

  test("a wrong Accept header is 406 whatever the body", async () => {
    const response = await post(JSON.stringify({ hello: "world" }), { accept: "application/json" });
    expect(response.status).toBe(406);
  });

  test("a valid batch is still answered", async () => {
    const response = await post(JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }]));
    expect(response.status).toBe(200);
  });

  test("an unknown method is -32601", async () => {
    const response = await post(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "nope/nothing" }));
    expect((await response.json()).error.code).toBe(-32601);
  });
});

describe("unknown tool and invalid arguments", () => {
  test("an unknown tool is a tool error naming it", async () => {
    const client = await connectMcp(app, auth);
    const result = await callTool(client, "delete_everything");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("delete_everything not found");
  });

  test("invalid arguments are a tool error naming the field", async () => {
    const client = await connectMcp(app, auth);
    const result = await callTool(client, "report_outcome", { playbook_id: "x", outcome: "great" });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("outcome");
    expect(textOf(result)).toContain("task_description");
  });
});
