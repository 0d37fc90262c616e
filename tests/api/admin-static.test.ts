import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";

/**
 * Issue 14: the dashboard's build is served at `/` by the API process — hashed assets cached as
 * immutable, client routes falling back to index.html, API paths keeping their JSON 404, and the
 * page's CSP carrying exactly the hashes Kit wrote into the built index.html.
 */

const db = useTestDatabase();

const SCRIPT = "console.log('boot')";
const STYLE = "position: absolute";
const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

const dir = mkdtempSync(path.join(tmpdir(), "ace-admin-build-"));
mkdirSync(path.join(dir, "_app/immutable/entry"), { recursive: true });
const INDEX = `<!doctype html><html><head><meta http-equiv="content-security-policy" content="script-src 'self' ${sha(SCRIPT)}; style-src-attr 'unsafe-hashes' ${sha(STYLE)}"></head><body><script>${SCRIPT}</script></body></html>`;
writeFileSync(path.join(dir, "index.html"), INDEX);
writeFileSync(path.join(dir, "favicon.svg"), "<svg/>");
writeFileSync(path.join(dir, "_app/immutable/entry/start.abc123.js"), "export {}");
writeFileSync(path.join(dir, "_app/version.json"), '{"version":"x"}');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serving the dashboard", () => {
  const app = () => createTestApp(db.pool, {}, { adminDir: dir });

  test("hashed assets are immutable; other files revalidate", async () => {
    const asset = await app().fetch("/_app/immutable/entry/start.abc123.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await asset.text()).toBe("export {}");
    const icon = await app().fetch("/favicon.svg");
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  test("client routes get index.html with no-cache and an ETag that revalidates to 304", async () => {
    const a = app();
    for (const route of [
      "/",
      "/playbooks/0b5e7c1e-0000-4000-8000-000000000000/history",
      "/keys",
      "/signin",
    ]) {
      const page = await a.fetch(route);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cache-control")).toBe("no-cache");
      expect(await page.text()).toBe(INDEX);
    }
    const etag = (await a.fetch("/")).headers.get("etag")!;
    expect(etag).toBeTruthy();
    const again = await a.fetch("/usage", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  test("the page's CSP allows the build's inline script and announcer style by hash, nothing else", async () => {
    const csp = (await app().fetch("/")).headers.get("content-security-policy")!;
    expect(csp).toContain(`script-src 'self' ${sha(SCRIPT)}`);
    expect(csp).toContain(`style-src-attr 'unsafe-hashes' ${sha(STYLE)}`);
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    const asset = await app().fetch("/_app/immutable/entry/start.abc123.js");
    expect(asset.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  test("API paths, unknown files and writes keep the API's JSON answers", async () => {
    const a = app();
    for (const route of [
      "/v1/nowhere",
      "/v1",
      "/mcp/x",
      "/docs/nothing",
      "/missing.js",
      "/_app/immutable/x.js",
    ]) {
      const response = await a.fetch(route);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
    }
    expect((await a.fetch("/health")).status).toBe(200);
    expect((await a.fetch("/openapi.json")).headers.get("content-type")).toContain("application/json");
    const post = await a.fetch("/keys", { method: "POST", json: {} });
    expect(post.headers.get("content-type")).toContain("application/json");
    expect(post.status).toBeGreaterThanOrEqual(400);
  });

  test("without a build the API alone answers: / is the JSON 404", async () => {
    const response = await createTestApp(db.pool).fetch("/");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/json");
  });
});
