import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { agentKey, MCP_HEADERS } from "../support/mcp.ts";

/**
 * Issue 11, item 1: deeply nested JSON is refused before anything parses or validates it (a 400
 * in well under a second, from any route, with or without credentials), the process keeps
 * answering meanwhile, and refusals without valid credentials count against the per-IP limit.
 */

const db = useTestDatabase();

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const json = { "content-type": "application/json" };

async function expectRefusedAsNested(response: Response) {
  expect(response.status).toBe(400);
  const { error } = await response.json();
  expect(error.code).toBe("invalid_input");
  expect(error.details.reason).toBe("nesting_too_deep");
  expect(error.message).toContain("64");
}

describe("a deeply nested body", () => {
  test("to POST /v1/auth/login without credentials: 400 at once, and /health is not held up", async () => {
    const app = createTestApp(db.pool);
    const server = app.listen();
    try {
      const started = performance.now();
      const attack = fetch(`${server.url}/v1/auth/login`, {
        method: "POST",
        headers: json,
        body: `{"email":${nested(20_000)},"password":"x"}`,
      }).then((r) => ({ response: r, ms: performance.now() - started }));
      const health = fetch(`${server.url}/health`).then((r) => ({
        status: r.status,
        ms: performance.now() - started,
      }));
      const [refused, alive] = await Promise.all([attack, health]);
      await expectRefusedAsNested(refused.response);
      expect(refused.ms).toBeLessThan(1000);
      expect(alive).toMatchObject({ status: 200 });
      expect(alive.ms).toBeLessThan(1000);
    } finally {
      await server.stop();
    }
  });

  test("inside fields of authenticated routes (outcome bullets, playbook name): 400, never a 500", async () => {
    const app = createTestApp(db.pool);
    const { headers } = await agentKey(app);
    const created = await app.fetch("/v1/playbooks", { method: "POST", json: { name: "p" }, headers });
    const { id } = (await created.json()) as { id: string };
    const outcome = await app.fetch(`/v1/playbooks/${id}/outcomes`, {
      method: "POST",
      headers: { ...headers, ...json },
      body: `{"task_description":"t","outcome":"success","bullets_used":${nested(50_000)}}`,
    });
    await expectRefusedAsNested(outcome);
    const playbook = await app.fetch("/v1/playbooks", {
      method: "POST",
      headers: { ...headers, ...json },
      body: `{"name":${nested(50_000)}}`,
    });
    await expectRefusedAsNested(playbook);
  });

  test("to /mcp: 400 before the JSON-RPC layer", async () => {
    const app = createTestApp(db.pool);
    const { headers } = await agentKey(app);
    const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_playbooks","arguments":{"x":${nested(5_000)}}}}`;
    await expectRefusedAsNested(
      await app.fetch("/mcp", { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body }),
    );
    await expectRefusedAsNested(await app.fetch("/mcp", { method: "POST", headers: MCP_HEADERS, body }));
  });

  test("nesting inside a JSON string is text, not depth", async () => {
    const app = createTestApp(db.pool);
    const { headers } = await agentKey(app);
    const response = await app.fetch("/v1/playbooks", {
      method: "POST",
      headers,
      json: { name: "brackets", description: `[{"\\"${nested(500)}` },
    });
    expect(response.status).toBe(201);
  });

  test("64 levels are accepted by the gate (the schema then judges the shape)", async () => {
    const app = createTestApp(db.pool);
    const { headers } = await agentKey(app);
    const response = await app.fetch("/v1/playbooks", {
      method: "POST",
      headers: { ...headers, ...json },
      body: `{"name":${nested(63)}}`,
    });
    expect(response.status).toBe(422);
  });
});

describe("refusals and the per-IP limit", () => {
  test("without valid credentials they count like failed logins: the IP is then rate limited", async () => {
    const app = createTestApp(db.pool, { RATE_LIMIT_LOGIN_PER_MINUTE: "3" });
    const ip = freshIp();
    const attack = (headers: Record<string, string> = {}) =>
      app.fetch("/v1/playbooks", {
        method: "POST",
        headers: { ...json, ...headers },
        body: `{"name":${nested(100)}}`,
        ip,
      });
    expect((await attack()).status).toBe(400);
    expect((await attack({ authorization: "Bearer not-a-token" })).status).toBe(400);
    expect((await attack({ "x-api-key": "ace_forged" })).status).toBe(400);
    const limited = await attack();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
    const login = await app.fetch("/v1/auth/login", {
      method: "POST",
      json: { email: "someone@example.com", password: PASSWORD },
      ip,
    });
    expect(login.status).toBe(429);
  });

  test("with valid credentials they are refused but not counted", async () => {
    const app = createTestApp(db.pool, { RATE_LIMIT_LOGIN_PER_MINUTE: "2" });
    const session = await signUp(app);
    const ip = freshIp();
    for (let i = 0; i < 4; i++) {
      const response = await app.fetch("/v1/playbooks", {
        method: "POST",
        headers: { ...json, ...bearer(session.access_token) },
        body: `{"name":${nested(100)}}`,
        ip,
      });
      expect(response.status).toBe(400);
    }
    const login = await app.fetch("/v1/auth/login", {
      method: "POST",
      json: { email: session.user.email, password: PASSWORD },
      ip,
    });
    expect(login.status).toBe(200);
  });
});
