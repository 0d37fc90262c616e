import { describe, expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

describe("GET /health", () => {
  test("answers ok with a request id", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("echoes a sane X-Request-ID and replaces an unsafe one", async () => {
    const app = createTestApp(db.pool);
    const kept = await app.fetch("/health", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await app.fetch("/health", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).not.toBe("<script>");
  });
});

describe("GET /ready", () => {
  test("200 when the database answers and migrations are applied", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch("/ready");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ready: true,
      checks: { database: true, migrations: true, worker: "disabled" },
    });
  });

  test("503 when the in-process worker is down", async () => {
    const app = createTestApp(db.pool, {}, { workerRunning: () => false });
    const response = await app.fetch("/ready");
    expect(response.status).toBe(503);
    expect((await response.json()).checks.worker).toBe(false);
  });
});

describe("errors", () => {
  test("unknown routes get the error envelope with the request id", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch("/nope", { headers: { "x-request-id": "r1" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "not_found", message: "No such route", request_id: "r1" },
    });
  });

  test("a known path with an unsupported method is 405 with Allow, before authentication", async () => {
    const app = createTestApp(db.pool);
    for (const [method, path, allow] of [
      ["PATCH", "/v1/playbooks", "GET, HEAD, POST"],
      ["PUT", "/v1/auth/me", "GET, HEAD"],
      ["DELETE", `/v1/playbooks/${crypto.randomUUID()}/versions/3`, "GET, HEAD"],
      ["TRACE", "/health", "GET, HEAD"],
    ] as const) {
      const response = await app.fetch(path, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 405 });
      expect(response.headers.get("allow")).toBe(allow);
      const body = await response.json();
      expect(body.error.code).toBe("method_not_allowed");
      expect(body.error.message).toContain(allow);
    }
  });

  test("a path that only resembles a route (the dot in /openapi.json) is 404 for any method", async () => {
    const app = createTestApp(db.pool);
    for (const method of ["GET", "POST"]) {
      expect((await app.fetch("/openapiXjson", { method })).status).toBe(404);
    }
  });

  test("a body over the size limit is refused before it is read", async () => {
    const app = createTestApp(db.pool, { REQUEST_BODY_MAX_BYTES: "4096" });
    const response = await app.fetch("/health", {
      method: "POST",
      body: "x".repeat(5000),
      headers: { "content-length": "5000" },
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toContain("4096-byte limit");
  });

  test("over real HTTP, oversized bodies get the envelope, with or without a Content-Length", async () => {
    const app = createTestApp(db.pool, { REQUEST_BODY_MAX_BYTES: "4096" });
    const server = app.listen();
    try {
      const declared = await fetch(`${server.url}/v1/playbooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "x".repeat(20_000) }),
      });
      expect(declared.status).toBe(413);
      expect((await declared.json()).error).toMatchObject({
        code: "payload_too_large",
        details: { limit_bytes: 4096 },
      });
      const chunked = await fetch(`${server.url}/v1/playbooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob(["x".repeat(20_000)]).stream(), // streamed: no Content-Length
      });
      expect(chunked.headers.get("content-length")).not.toBe("0");
      expect(chunked.status).toBe(413);
      expect((await chunked.json()).error.code).toBe("payload_too_large");
      // A streamed body under the limit still reaches the route (here: 401, it has no credentials).
      const small = await fetch(`${server.url}/v1/playbooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob([JSON.stringify({ name: "ok" })]).stream(),
      });
      expect(small.status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  test("every request is logged once with its request id, method, path and status", async () => {
    const app = createTestApp(db.pool);
    await app.fetch("/health", { headers: { "x-request-id": "log-me" } });
    const lines = app.logs.filter((l) => l.request_id === "log-me");
    expect(lines).toEqual([
      expect.objectContaining({ msg: "request", method: "GET", path: "/health", status: 200 }),
    ]);
  });
});
