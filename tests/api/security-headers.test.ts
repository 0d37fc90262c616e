import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createTestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

/**
 * Issue 11, item 4: a default set of security headers on every response, a CSP Swagger UI works
 * under (its assets served locally), HSTS only over HTTPS, and no caching of secrets.
 */

const db = useTestDatabase();

function expectDefaults(response: Response) {
  const h = response.headers;
  expect(h.get("x-content-type-options")).toBe("nosniff");
  expect(h.get("x-frame-options")).toBe("DENY");
  expect(h.get("referrer-policy")).toBe("no-referrer");
  expect(h.get("content-security-policy")).toContain("frame-ancestors 'none'");
}

describe("every response", () => {
  test("JSON, errors, refusals before routing, 404s and the docs all carry the default set", async () => {
    const app = createTestApp(db.pool, { REQUEST_BODY_MAX_BYTES: "4096" });
    const responses = [
      await app.fetch("/health"),
      await app.fetch("/v1/playbooks"),
      await app.fetch("/nowhere"),
      await app.fetch("/openapi.json"),
      await app.fetch("/docs"),
      await app.fetch("/docs/"),
      await app.fetch("/docs/assets/swagger-ui.css"),
      await app.fetch("/v1/playbooks", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": "99999" },
        body: "{}",
      }),
      await app.fetch("/mcp", { method: "GET" }),
    ];
    for (const response of responses) expectDefaults(response);
    const api = responses[1]!.headers.get("content-security-policy");
    expect(api).toContain("default-src 'none'");
  });

  test("no HSTS over plain HTTP, even with a forwarded proto when the proxy is not trusted", async () => {
    const app = createTestApp(db.pool);
    expect((await app.fetch("/health")).headers.get("strict-transport-security")).toBeNull();
    const spoofed = await app.fetch("/health", { headers: { "x-forwarded-proto": "https" } });
    expect(spoofed.headers.get("strict-transport-security")).toBeNull();
  });

  test("HSTS when the trusted proxy says the client used HTTPS", async () => {
    const app = createTestApp(db.pool, { TRUST_PROXY: "true" });
    const response = await app.fetch("/health", { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    const plain = await app.fetch("/health", { headers: { "x-forwarded-proto": "http" } });
    expect(plain.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("Swagger UI at /docs", () => {
  test("has its own CSP: local scripts and styles, its one inline script by hash, no CDN", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch("/docs");
    const html = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    const inline = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const hash = createHash("sha256").update(inline).digest("base64");
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect((await app.fetch(asset[1]!)).status).toBe(200);
    }
  });
});

describe("responses that carry secrets are never stored", () => {
  test("register, login, refresh and a new API key: Cache-Control no-store and Pragma no-cache", async () => {
    const app = createTestApp(db.pool);
    const email = `s-${crypto.randomUUID()}@example.com`;
    const ip = freshIp();
    const register = await app.fetch("/v1/auth/register", {
      method: "POST",
      json: { email, password: PASSWORD },
      ip,
    });
    const login = await app.fetch("/v1/auth/login", {
      method: "POST",
      json: { email, password: PASSWORD },
      ip,
    });
    const session = (await login.clone().json()) as { refresh_token: string; access_token: string };
    const refresh = await app.fetch("/v1/auth/refresh", {
      method: "POST",
      json: { refresh_token: session.refresh_token },
    });
    const key = await app.fetch("/v1/auth/api-keys", {
      method: "POST",
      json: { name: "k" },
      headers: bearer(session.access_token),
    });
    for (const response of [register, login, refresh, key]) {
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
    }
  });

  test("other API answers default to no-store; the docs assets may be cached", async () => {
    const app = createTestApp(db.pool);
    const { access_token } = await signUp(app);
    const list = await app.fetch("/v1/playbooks", { headers: bearer(access_token) });
    expect(list.headers.get("cache-control")).toBe("no-store");
    const asset = await app.fetch("/docs/assets/swagger-ui-bundle.js");
    expect(asset.headers.get("cache-control")).toContain("max-age");
  });
});

describe("request log lines", () => {
  test("a very long path is logged truncated, with its length", async () => {
    const app = createTestApp(db.pool);
    const long = `/v1/playbooks/${"a".repeat(5000)}`;
    await app.fetch(long);
    const line = app.logs.find((l) => l.msg === "request" && String(l.path).startsWith("/v1/playbooks/aaa"));
    expect(line).toBeDefined();
    expect(String(line!.path).length).toBeLessThan(260);
    expect(String(line!.path)).toContain(`(${long.length} chars)`);
  });
});
