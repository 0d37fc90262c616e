import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";
import { agentKey, MCP_HEADERS } from "../support/mcp.ts";

/**
 * Issue 11, item 5: media types compare case-insensitively, parameters are allowed, any `+json`
 * type is JSON, and a JSON body is then actually parsed; anything else is a 415.
 */

const db = useTestDatabase();

async function createWith(contentType: string | null, body: string) {
  const app = createTestApp(db.pool);
  const { headers } = await agentKey(app);
  const all: Record<string, string> = { ...headers };
  if (contentType !== null) all["content-type"] = contentType;
  return app.fetch("/v1/playbooks", { method: "POST", headers: all, body });
}

describe("JSON bodies by any spelling", () => {
  for (const type of [
    "application/json",
    "APPLICATION/JSON; charset=UTF-8",
    "Application/Json;charset=utf-8",
    'application/json ; charset="utf-8"',
    "application/vnd.api+json",
    "application/merge-patch+json; charset=utf-8",
  ]) {
    test(`${type}: parsed and accepted`, async () => {
      const response = await createWith(type, JSON.stringify({ name: `via ${type}` }));
      expect(response.status).toBe(201);
      expect((await response.json()).name).toBe(`via ${type}`);
    });
  }
});

describe("anything else is 415 with the fix in the message", () => {
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
    "text/json+xml",
    null,
  ]) {
    test(`${type ?? "no Content-Type"}`, async () => {
      const response = await createWith(type, JSON.stringify({ name: "x" }));
      expect(response.status).toBe(415);
      const { error } = await response.json();
      expect(error.code).toBe("invalid_input");
      expect(error.message).toContain("application/json");
    });
  }

  test("JSON in another charset: 415 asking for UTF-8", async () => {
    const response = await createWith("application/json; charset=iso-8859-1", JSON.stringify({ name: "x" }));
    expect(response.status).toBe(415);
    expect((await response.json()).error.message).toContain("UTF-8");
  });
});

describe("MCP follows the same rule", () => {
  test("an upper-case JSON type with a charset is a JSON-RPC request like any other", async () => {
    const app = createTestApp(db.pool);
    const { headers } = await agentKey(app);
    const response = await app.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, ...headers, "content-type": "APPLICATION/JSON; charset=UTF-8" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.result.tools.length).toBeGreaterThan(0);
  });
});
