import path from "node:path";
import { openapi } from "@elysiajs/openapi";
import { SwaggerUIRender } from "@elysiajs/openapi/swagger";
import { Elysia } from "elysia";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { refineDocument } from "./openapi-refine.ts";
import { htmlContentSecurityPolicy, inlineScriptHashes } from "./security-headers.ts";

const SWAGGER_DIR = path.dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const ASSETS: Record<string, string> = {
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

const INFO = {
  title: "ACE Platform API",
  version: "1.0.0",
  description:
    "Playbooks as a Service for AI agents: fetch a playbook before a task, report the outcome after it, " +
    "and the platform evolves the playbook with the ACE method. JSON bodies use snake_case; every error " +
    "uses one envelope: `{ error: { code, message, request_id, details? } }`.",
  license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
};

/**
 * Swagger UI's page, rendered once, under its own Content-Security-Policy (api/security-headers.ts):
 * scripts and styles from this server only, plus its one inline start-up script by hash (the page
 * is built from our configuration alone, never from request input, so hashing it is safe).
 */
function docsPage(): () => Response {
  const options = {
    url: "openapi.json",
    cdn: "/docs/assets/swagger-ui-bundle.js",
    theme: "/docs/assets/swagger-ui.css",
    autoDarkMode: false,
    // Swagger UI would otherwise load a badge from validator.swagger.io, which the CSP refuses
    // (null is its documented "off"; the typings only know strings).
    validatorUrl: null,
  };
  const html = SwaggerUIRender(INFO, options as unknown as Parameters<typeof SwaggerUIRender>[1]);
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": htmlContentSecurityPolicy({ scriptHashes: inlineScriptHashes(html) }),
  };
  return () => new Response(html, { headers });
}

/**
 * `/openapi.json` (OpenAPI 3.1) and Swagger UI at `/docs`, with the UI's assets served from the
 * swagger-ui-dist package so the page works offline and under a strict CSP.
 */
export const openapiPlugin = () =>
  new Elysia({ name: "openapi" })
    // Swagger UI loads the document by a relative URL, which breaks under "/docs/".
    .onRequest(({ request }) => {
      if (request.url.endsWith("/docs/")) return Response.redirect(request.url.slice(0, -1), 308);
    })
    // Applies only to the document route below (local hook, registered before it).
    .onAfterHandle(({ path, response }) => (path === "/openapi.json" ? refineDocument(response) : undefined))
    .use(
      openapi({
        path: "/docs",
        specPath: "/openapi.json",
        provider: null, // the page is ours (docsPage), so it can carry its own CSP
        exclude: { paths: ["/docs/assets/:file"] },
        mapJsonSchema: { zod: z.toJSONSchema },
        documentation: {
          info: INFO,
          servers: [{ url: "/", description: "This server" }],
          tags: [
            { name: "ops", description: "Liveness and readiness" },
            { name: "auth", description: "Accounts, sessions and API keys" },
            { name: "playbooks", description: "Playbooks, versions and outcomes" },
            { name: "evolutions", description: "Evolution jobs" },
            { name: "usage", description: "LLM token usage and cost" },
            { name: "events", description: "Live events (server-sent events) for dashboards" },
          ],
          components: {
            securitySchemes: {
              bearerAuth: {
                type: "http",
                scheme: "bearer",
                description: "A JWT access token from /v1/auth/login, or an API key (`ace_…`).",
              },
              apiKeyHeader: {
                type: "apiKey",
                in: "header",
                name: "X-API-Key",
                description: "An API key (`ace_…`).",
              },
            },
          },
        },
      }),
    )
    .get("/docs", docsPage(), { detail: { hide: true } })
    .get(
      "/docs/assets/:file",
      ({ params }) => {
        const type = ASSETS[params.file];
        if (!type) throw new AppError("not_found", "No such documentation asset");
        return new Response(Bun.file(path.join(SWAGGER_DIR, params.file)), {
          headers: { "content-type": type, "cache-control": "public, max-age=86400" },
        });
      },
      { detail: { hide: true } },
    );
