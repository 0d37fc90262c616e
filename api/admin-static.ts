import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Elysia } from "elysia";
import { adminContentSecurityPolicy } from "./security-headers.ts";

/**
 * Serves the dashboard (admin/build, a SvelteKit single-page app) from memory, before Elysia's
 * routing, from the same origin as the API:
 * - exact files of the build; `/_app/immutable/*` (content-hashed names) cached for a year;
 * - `index.html` (no-cache + ETag) for any other extension-less GET/HEAD outside the API's
 *   prefixes, so client routes like `/playbooks/…` survive a reload;
 * - everything else (API paths, unknown files) falls through to Elysia and keeps its JSON 404.
 * `@elysiajs/static` was not used: its catch-all hid client routes and it registers one route per
 * file, which leaks into the OpenAPI document.
 */

/** Paths the dashboard never answers (the API, MCP, docs and probes own them). */
const API_PREFIXES = ["/v1", "/mcp", "/docs", "/health", "/ready", "/metrics", "/openapi.json"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

type Asset = { body: Uint8Array<ArrayBuffer>; type: string; cache: string; etag: string; csp?: string };

const IMMUTABLE = "public, max-age=31536000, immutable";

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}/${name}`) : [`${prefix}/${name}`];
  });
}

const etagOf = (body: Uint8Array<ArrayBuffer>) =>
  `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;

/** Reads the build into memory; undefined when there is no build (the API still serves). */
export function loadAdminBuild(dir: string): Map<string, Asset> | undefined {
  let files: string[];
  try {
    files = listFiles(dir);
  } catch {
    return undefined;
  }
  if (!files.includes("/index.html")) return undefined;
  const assets = new Map<string, Asset>();
  for (const file of files) {
    const body = new Uint8Array(readFileSync(path.join(dir, file)));
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    const immutable = file.startsWith("/_app/immutable/");
    const asset: Asset = { body, type, cache: immutable ? IMMUTABLE : "no-cache", etag: etagOf(body) };
    if (file.endsWith(".html")) asset.csp = adminContentSecurityPolicy(new TextDecoder().decode(body));
    assets.set(file, asset);
  }
  return assets;
}

function respond(asset: Asset, request: Request): Response {
  const headers: Record<string, string> = {
    "content-type": asset.type,
    "cache-control": asset.cache,
    etag: asset.etag,
  };
  if (asset.csp) headers["content-security-policy"] = asset.csp;
  if (request.headers.get("if-none-match") === asset.etag)
    return new Response(null, { status: 304, headers });
  return new Response(request.method === "HEAD" ? null : asset.body, { headers });
}

const isApiPath = (pathname: string) =>
  API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));

/** The answer for a request the dashboard owns, or undefined to let the API route it. */
export function adminResponder(dir: string | undefined) {
  const assets = dir ? loadAdminBuild(dir) : undefined;
  return (request: Request): Response | undefined => {
    if (!assets || (request.method !== "GET" && request.method !== "HEAD")) return undefined;
    const { pathname } = new URL(request.url);
    if (isApiPath(pathname)) return undefined;
    const file = assets.get(pathname);
    if (file && pathname !== "/index.html") return respond(file, request);
    if (path.extname(pathname) === "" || pathname === "/index.html")
      return respond(assets.get("/index.html")!, request);
    return undefined;
  };
}

/** The Elysia plugin: answers before routing, so client routes never reach the API's 404. */
export const adminStatic = (dir: string | undefined) => {
  const answer = adminResponder(dir);
  // onRequest runs before routing for every request of the app that uses this plugin.
  return new Elysia({ name: "admin-static" }).onRequest(({ request }) => answer(request));
};
