import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { createFetchHandler } from "../../api/app.ts";
import { authPlugin } from "../../api/auth-plugin.ts";
import { errorResponse } from "../../api/errors.ts";
import { isAppError } from "../../core/errors.ts";
import { createTestApp } from "../support/app.ts";
import { bearer, freshIp, newKey, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

describe("the auth macro", () => {
  test("a caller lacking the route's scope gets 403 naming it", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "rw", scopes: ["read", "write"] });
    const { deps } = app;
    const probe = new Elysia()
      .onError(({ error }) => (isAppError(error) ? errorResponse(error, "probe") : undefined))
      .use(authPlugin(deps))
      .post("/v1/probe", ({ caller }) => ({ user: caller.userId }), { auth: "evolve" });
    const handler = createFetchHandler(probe, deps);
    const denied = await handler(
      new Request("http://localhost/v1/probe", { method: "POST", headers: { "x-api-key": key } }),
    );
    expect(denied.status).toBe(403);
    const { error } = await denied.json();
    expect(error.message).toContain('"evolve"');
    expect(error.details).toEqual({ required_scope: "evolve" });
    const allowed = await handler(
      new Request("http://localhost/v1/probe", { method: "POST", headers: bearer(session.access_token) }),
    );
    expect(allowed.status).toBe(200);
  });

  test("a repeated X-API-Key header is a 401 asking for one", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "k" });
    const headers = new Headers();
    headers.append("x-api-key", key);
    headers.append("x-api-key", key);
    const response = await app.fetch("/v1/playbooks", { headers });
    expect(response.status).toBe(401);
    expect((await response.json()).error.message).toBe("Send exactly one X-API-Key header.");
  });

  test("two different credentials are refused; the same key in both headers is fine", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "k" });
    const both = await app.fetch("/v1/playbooks", {
      headers: { ...bearer(session.access_token), "x-api-key": key },
    });
    expect(both.status).toBe(401);
    expect((await both.json()).error.message).toContain("not two different ones");
    const same = await app.fetch("/v1/playbooks", { headers: { ...bearer(key), "x-api-key": key } });
    expect(same.status).toBe(200);
  });

  test("the OpenAPI document shows security schemes and error responses of the auth routes", async () => {
    const app = createTestApp(db.pool);
    const spec = await (await app.fetch("/openapi.json")).json();
    const me = spec.paths["/v1/auth/me"].get;
    expect(me.operationId).toBe("getCurrentUser");
    expect(me.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(["200", "401"]));
    const register = spec.paths["/v1/auth/register"].post;
    expect(register.security).toEqual([]);
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(["201", "409", "422", "429"]));
    expect(spec.paths["/v1/auth/api-keys/{id}"].delete.operationId).toBe("revokeApiKey");
  });
});

describe("login rate limits", () => {
  test("the 6th login within a minute from one IP is 429 with Retry-After and RateLimit headers", async () => {
    const app = createTestApp(db.pool);
    await signUp(app, "limited@example.com");
    const ip = freshIp();
    const attempt = () =>
      app.fetch("/v1/auth/login", {
        method: "POST",
        json: { email: "limited@example.com", password: PASSWORD },
        ip,
      });
    for (let i = 1; i <= 5; i++) {
      const ok = await attempt();
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-limit")).toBe("5");
      expect(ok.headers.get("ratelimit-remaining")).toBe(String(5 - i));
    }
    const sixth = await attempt();
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(sixth.headers.get("ratelimit-remaining")).toBe("0");
    expect((await sixth.json()).error.code).toBe("rate_limited");
    // another address is not affected
    const other = await app.fetch("/v1/auth/login", {
      method: "POST",
      json: { email: "limited@example.com", password: PASSWORD },
      ip: freshIp(),
    });
    expect(other.status).toBe(200);
  });

  test("RATE_LIMIT_ENABLED=false turns the limit off", async () => {
    const app = createTestApp(db.pool, { RATE_LIMIT_ENABLED: "false" });
    const ip = freshIp();
    for (let i = 0; i < 7; i++) {
      const json = { email: `x${i}@example.com`, password: "nope" }; // distinct accounts: no lockout
      const r = await app.fetch("/v1/auth/login", { method: "POST", json, ip });
      expect(r.status).not.toBe(429);
    }
  });
});
