import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { agentKey, MCP_HEADERS, restPlaybook } from "../support/mcp.ts";

/**
 * Issue 13: GET playbook answers If-None-Match with 304 only while the answer is unchanged, and
 * MCP get_playbook answers "unchanged" to if_version only while that version is current; both
 * check ownership on every call.
 */

const db = useTestDatabase();

async function setup() {
  const app = createTestApp(db.pool);
  const alice = await agentKey(app);
  const bob = await agentKey(app);
  const id = await restPlaybook(app, alice.headers, SAMPLE_PLAYBOOK);
  return { app, alice, bob, id };
}

describe("conditional GET of a playbook", () => {
  test("304 while unchanged (text and JSON); a report changes the JSON tag, a new version both", async () => {
    const { app, alice, id } = await setup();
    const get = (tag?: string, format = "") =>
      app.fetch(`/v1/playbooks/${id}${format}`, {
        headers: { ...alice.headers, ...(tag ? { "if-none-match": tag } : {}) },
      });
    for (const format of ["", "?format=text"]) {
      const first = await get(undefined, format);
      const tag = first.headers.get("etag")!;
      expect(tag).toMatch(/^".+"$/);
      const again = await get(tag, format);
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(tag);
      expect((await get(`"other", ${tag}`, format)).status).toBe(304);
      expect((await get('"stale"', format)).status).toBe(200);
    }
    const json = (await get()).headers.get("etag")!;
    const text = (await get(undefined, "?format=text")).headers.get("etag")!;
    // a report changes the JSON (its counters), not the text
    await app.fetch(`/v1/playbooks/${id}/outcomes`, {
      method: "POST",
      headers: alice.headers,
      json: { task_description: "t", outcome: "success" },
    });
    expect((await get(json)).status).toBe(200);
    expect((await get(text, "?format=text")).status).toBe(304);
    // a new version changes both
    const edited = await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      headers: alice.headers,
      json: { content: `${SAMPLE_PLAYBOOK}[str-00099] helpful=0 harmful=0 :: New advice.\n` },
    });
    expect(edited.status).toBe(201);
    const fresh = await get(text, "?format=text");
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toContain("New advice.");
  });

  test("another user gets 404 even with the owner's tag", async () => {
    const { app, alice, bob, id } = await setup();
    const tag = (await app.fetch(`/v1/playbooks/${id}?format=text`, { headers: alice.headers })).headers.get(
      "etag",
    )!;
    const stolen = await app.fetch(`/v1/playbooks/${id}?format=text`, {
      headers: { ...bob.headers, "if-none-match": tag },
    });
    expect(stolen.status).toBe(404);
  });
});

describe("MCP get_playbook if_version", () => {
  const call = (app: ReturnType<typeof createTestApp>, headers: Record<string, string>, args: object) =>
    app
      .fetch("/mcp", {
        method: "POST",
        headers: { ...MCP_HEADERS, ...headers },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: { name: "get_playbook", arguments: args },
        }),
      })
      .then(
        (r) =>
          r.json() as Promise<{
            result: {
              isError?: boolean;
              content: { text: string }[];
              structuredContent?: Record<string, unknown>;
            };
          }>,
      );

  test("unchanged in one line while current; the text once a new version exists; 404 for others", async () => {
    const { app, alice, bob, id } = await setup();
    const same = await call(app, alice.headers, { playbook_id: id, if_version: 1 });
    expect(same.result.structuredContent).toMatchObject({ version_number: 1, unchanged: true });
    expect(same.result.content[0]!.text).toStartWith("Unchanged: version 1");
    await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      headers: alice.headers,
      json: { content: `${SAMPLE_PLAYBOOK}[str-00099] helpful=0 harmful=0 :: New advice.\n` },
    });
    const changed = await call(app, alice.headers, { playbook_id: id, if_version: 1 });
    expect(changed.result.structuredContent).toMatchObject({ version_number: 2 });
    expect(changed.result.structuredContent?.unchanged).toBeUndefined();
    expect(changed.result.content[0]!.text).toContain("New advice.");
    const other = await call(app, bob.headers, { playbook_id: id, if_version: 2 });
    expect(other.result.isError).toBe(true);
  });
});
