import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { agentKey, callTool, connectMcp, MCP_HEADERS, restPlaybook, textOf } from "../support/mcp.ts";

/**
 * Issue 13: MCP servers are reused across stateless requests (api/mcp/server.ts). The caller
 * travels with each request, so interleaved and concurrent calls of two users through the same
 * reused servers still see only their own playbooks.
 */

const db = useTestDatabase();

describe("reused MCP servers", () => {
  test("concurrent calls of two users each see their own playbook and not the other's", async () => {
    const app = createTestApp(db.pool);
    const alice = await agentKey(app);
    const bob = await agentKey(app);
    const alicePlaybook = await restPlaybook(app, alice.headers, SAMPLE_PLAYBOOK);
    const call = (headers: Record<string, string>, playbookId: string) =>
      app
        .fetch("/mcp", {
          method: "POST",
          headers: { ...MCP_HEADERS, ...headers },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "tools/call",
            params: { name: "get_playbook", arguments: { playbook_id: playbookId } },
          }),
        })
        .then((r) => r.json() as Promise<{ result: { isError?: boolean; content: { text: string }[] } }>);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) => call(n % 2 ? bob.headers : alice.headers, alicePlaybook)),
    );
    results.forEach((r, n) => {
      if (n % 2) {
        expect(r.result.isError).toBe(true);
        expect(r.result.content[0]!.text).toMatch(/not found|no playbook/i);
      } else {
        expect(r.result.isError).toBeFalsy();
        expect(r.result.content[0]!.text).toContain("[str-00001]");
      }
    });
  });

  test("a client that initializes still works next to reused servers", async () => {
    const app = createTestApp(db.pool);
    const alice = await agentKey(app);
    const id = await restPlaybook(app, alice.headers, SAMPLE_PLAYBOOK);
    for (let i = 0; i < 3; i++) {
      const client = await connectMcp(app, alice.headers);
      const result = await callTool(client, "get_playbook", { playbook_id: id });
      expect(textOf(result)).toContain("[str-00001]");
      await client.close();
    }
  });
});
