import { beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { freshIp } from "../support/auth.ts";
import {
  BAD_IDS,
  MALFORMED_BODIES,
  ODD_DOCUMENTS,
  ODD_MEDIA_TYPES,
  WRONG_VALUES,
} from "../support/bad-input.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { agentKey, callTool, connectMcp, MCP_HEADERS, restPlaybook } from "../support/mcp.ts";

/**
 * Issue 11: the bad-input corpus (tests/support/bad-input.ts) against every tool the MCP server
 * lists, and against the endpoint itself. Never a 5xx, never a JSON-RPC "Internal error"
 * (-32603), never a tool result with code `internal`: bad arguments are the agent's to fix.
 */

type Tool = { name: string; inputSchema: { properties?: Record<string, unknown>; required?: string[] } };

const db = useTestDatabase();
let app: TestApp;
let headers: Record<string, string>;
let tools: Tool[];
let playbookId: string;

beforeAll(async () => {
  app = createTestApp(db.pool, { RATE_LIMIT_ENABLED: "false", LOG_LEVEL: "error" });
  const agent = await agentKey(app);
  headers = agent.headers;
  playbookId = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
  const client = await connectMcp(app, headers);
  tools = (await client.listTools()).tools as Tool[];
  await callTool(client, "report_outcome", { playbook_id: playbookId, task: "t", outcome: "success" });
  await client.close();
});

let nextId = 1;
const rpc = (method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params });

/** Sends one raw POST to /mcp; returns what is wrong with the answer, or null. */
async function problemWith(
  body: string | Uint8Array<ArrayBuffer>,
  extra: Record<string, string | null> = {},
) {
  const all: Record<string, string> = { ...MCP_HEADERS, ...headers };
  for (const [name, value] of Object.entries(extra)) {
    if (value === null) delete all[name];
    else all[name] = value;
  }
  const response = await app.fetch("/mcp", { method: "POST", headers: all, body, ip: freshIp() });
  const text = await response.text();
  if (response.status >= 500) return `HTTP ${response.status}: ${text.slice(0, 200)}`;
  if (text.includes('"code":-32603')) return `JSON-RPC internal error: ${text.slice(0, 200)}`;
  if (text.includes("Error (internal)")) return `tool internal error: ${text.slice(0, 200)}`;
  return null;
}

/** Argument sets for a tool: each property wrong in every way, ids that name nothing, odd shapes. */
function argumentCases(tool: Tool): Array<[label: string, args: unknown]> {
  const properties = Object.keys(tool.inputSchema.properties ?? {});
  const valid: Record<string, unknown> = {};
  for (const p of properties) if (/(^|_)id$/.test(p)) valid[p] = playbookId;
  const cases: Array<[string, unknown]> = [
    ["no arguments", {}],
    ["null arguments", null],
    ["an array", []],
    ["a string", "arguments"],
    ["a number", 7],
    ["an unknown property", { ...valid, surprise: { nested: [1, 2, 3] } }],
    ["nesting just under the limit", { ...valid, deep: JSON.parse(`${"[".repeat(55)}${"]".repeat(55)}`) }],
  ];
  for (const p of properties) {
    for (const [label, value] of WRONG_VALUES) cases.push([`${p}: ${label}`, { ...valid, [p]: value }]);
    // As tool arguments the path segments arrive undecoded: "%00" is three characters here.
    for (const [label, segment] of BAD_IDS) cases.push([`${p}: id ${label}`, { ...valid, [p]: segment }]);
  }
  return cases;
}

describe("the bad-input corpus against every MCP tool", () => {
  test("the server lists tools to test", () => {
    expect(tools.length).toBeGreaterThanOrEqual(6);
  });

  test("every tool, every argument: a tool error the agent can act on, never an internal one", async () => {
    const problems: string[] = [];
    for (const tool of tools) {
      for (const [label, args] of argumentCases(tool)) {
        const problem = await problemWith(rpc("tools/call", { name: tool.name, arguments: args }));
        if (problem) problems.push(`${tool.name} (${label}): ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe("the bad-input corpus against the MCP endpoint", () => {
  test("malformed and odd bodies", async () => {
    const problems: string[] = [];
    for (const [label, body] of [...MALFORMED_BODIES, ...ODD_DOCUMENTS]) {
      const problem = await problemWith(body);
      if (problem) problems.push(`${label}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  test("odd media types and Accept headers", async () => {
    const problems: string[] = [];
    for (const type of ODD_MEDIA_TYPES) {
      const problem = await problemWith(rpc("tools/list"), { "content-type": type });
      if (problem) problems.push(`Content-Type ${type}: ${problem}`);
    }
    for (const accept of [null, "", "text/html", "application/json", "text/event-stream", "*/*"]) {
      const problem = await problemWith(rpc("tools/list"), { accept });
      if (problem) problems.push(`Accept ${accept}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  test("odd JSON-RPC messages", async () => {
    const messages: Array<[string, unknown]> = [
      ["an unknown method", { jsonrpc: "2.0", id: 1, method: "no/such" }],
      ["no method", { jsonrpc: "2.0", id: 1 }],
      ["a numeric method", { jsonrpc: "2.0", id: 1, method: 7 }],
      ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "tools/list" }],
      ["an object id", { jsonrpc: "2.0", id: { a: 1 }, method: "tools/list" }],
      ["a huge id", { jsonrpc: "2.0", id: 1e300, method: "tools/list" }],
      ["a 5 KB string id", { jsonrpc: "2.0", id: "i".repeat(5000), method: "tools/list" }],
      ["params as an array", { jsonrpc: "2.0", id: 1, method: "tools/call", params: [1, 2] }],
      ["params as a string", { jsonrpc: "2.0", id: 1, method: "tools/list", params: "x" }],
      ["an unknown tool", { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "rm_rf" } }],
      [
        "a tool name with NUL",
        { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get\u0000playbook" } },
      ],
      ["a bad cursor", { jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: "\ud800" } }],
      [
        "resources/read of garbage",
        { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "::" } },
      ],
      [
        "resources/read of nothing",
        { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "playbook://nope" } },
      ],
      [
        "resources/read of a NUL",
        { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "playbook://a%00b" } },
      ],
      [
        "resources/read of another scheme",
        { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "file:///etc/passwd" } },
      ],
      ["prompts/get", { jsonrpc: "2.0", id: 1, method: "prompts/get", params: { name: "x" } }],
      ["a response, not a request", { jsonrpc: "2.0", id: 1, result: {} }],
      ["an error, not a request", { jsonrpc: "2.0", id: 1, error: { code: 1, message: "x" } }],
      ["only a notification", { jsonrpc: "2.0", method: "notifications/initialized" }],
      ["a batch of junk", [1, "two", null, { jsonrpc: "2.0" }]],
      [
        "a batch of 500 pings",
        Array.from({ length: 500 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })),
      ],
    ];
    const problems: string[] = [];
    for (const [label, message] of messages) {
      const problem = await problemWith(JSON.stringify(message));
      if (problem) problems.push(`${label}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});
