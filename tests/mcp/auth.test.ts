import { beforeAll, describe, expect, test } from "bun:test";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually, SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { agentKey, callTool, connectMcp, MCP_HEADERS, restPlaybook, textOf } from "../support/mcp.ts";

const db = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = createTestApp(db.pool);
});

const listTools = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
const post = (headers: Record<string, string>) =>
  app.fetch("/mcp", { method: "POST", body: listTools, headers: { ...MCP_HEADERS, ...headers } });

describe("authentication", () => {
  test("no credentials: 401 with a bare Bearer challenge and a JSON body", async () => {
    const response = await post({});
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="ace"');
    expect((await response.json()).error.code).toBe("unauthenticated");
  });

  test("an unknown key: 401 invalid_token, and the SDK client fails to connect", async () => {
    const response = await post({ authorization: "Bearer ace_not_a_real_key_at_all_000000000000" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const failed = await connectMcp(app, { "x-api-key": "ace_nope" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StreamableHTTPError);
    expect((failed as StreamableHTTPError).code).toBe(401);
  });

  test("a revoked key stops working at once", async () => {
    const agent = await agentKey(app);
    expect((await post(agent.headers)).status).toBe(200);
    const revoked = await app.fetch(`/v1/auth/api-keys/${agent.keyId}`, {
      method: "DELETE",
      headers: bearer(agent.accessToken),
    });
    expect(revoked.status).toBe(204);
    expect((await post(agent.headers)).status).toBe(401);
  });

  test("X-API-Key works too, and using the key sets its last_used_at", async () => {
    const agent = await agentKey(app);
    const client = await connectMcp(app, { "x-api-key": agent.key });
    expect((await callTool(client, "list_playbooks")).isError).toBeFalsy();
    // the core refreshes last_used_at in the background, as for REST
    const lastUsed = await eventually(async () => {
      const keys = await app.fetch("/v1/auth/api-keys", { headers: bearer(agent.accessToken) });
      const listed = (await keys.json()) as { items?: unknown[] } | unknown[];
      const items = (Array.isArray(listed) ? listed : listed.items) as Array<{
        id: string;
        last_used_at: string;
      }>;
      return items.find((k) => k.id === agent.keyId)?.last_used_at;
    });
    expect(Date.parse(lastUsed)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("scopes", () => {
  test("a read-only key can read but gets tool errors naming write and evolve", async () => {
    const agent = await agentKey(app, ["read"]);
    const owner = await agentKey(app);
    const client = await connectMcp(app, agent.headers);
    expect((await callTool(client, "list_playbooks")).isError).toBeFalsy();
    const report = await callTool(client, "report_outcome", {
      playbook_id: await restPlaybook(app, owner.headers, SAMPLE_PLAYBOOK),
      task_description: "t",
      outcome: "success",
    });
    expect(report.isError).toBe(true);
    expect(textOf(report)).toContain('"write" scope');
    const evolve = await callTool(client, "trigger_evolution", { playbook_id: crypto.randomUUID() });
    expect(textOf(evolve)).toContain('"evolve" scope');
  });

  test("a write-only key cannot read a playbook", async () => {
    const agent = await agentKey(app, ["write"]);
    const client = await connectMcp(app, agent.headers);
    const result = await callTool(client, "get_playbook", { playbook_id: crypto.randomUUID() });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('"read" scope');
  });
});

describe("another user's playbook", () => {
  test("is not found for every tool and resource, never forbidden", async () => {
    const alice = await agentKey(app);
    const bob = await connectMcp(app, (await agentKey(app)).headers);
    const id = await restPlaybook(app, alice.headers, SAMPLE_PLAYBOOK);
    for (const [tool, args] of [
      ["get_playbook", { playbook_id: id }],
      ["report_outcome", { playbook_id: id, task_description: "t", outcome: "failure" }],
      ["trigger_evolution", { playbook_id: id }],
    ] as const) {
      const result = await callTool(bob, tool, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toStartWith("Error (not_found)");
    }
    await expect(bob.readResource({ uri: `playbook://${id}` })).rejects.toThrow(/not found/i);
  });
});
