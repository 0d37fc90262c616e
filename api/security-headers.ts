import { createHash } from "node:crypto";
import type { Config } from "../core/config.ts";

/**
 * The security headers of every response, decided here and nowhere else (the fetch handler
 * applies them last, to Elysia's answers and to its own refusals alike).
 *
 * - Always: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older browsers) with CSP
 *   `frame-ancestors 'none'`, `Referrer-Policy: no-referrer`, and `Cross-Origin-Opener-Policy`
 *   / `Cross-Origin-Resource-Policy: same-origin`.
 * - `Content-Security-Policy`: API answers (JSON, text downloads, errors) get `default-src
 *   'none'`: nothing in them may load or run anything. An HTML page sets its own policy on its
 *   response, built with `htmlContentSecurityPolicy` (Swagger UI at /docs does; the dashboard's
 *   pages do, with the hashes of their inline scripts: `adminContentSecurityPolicy`); it is
 *   kept, and only gains `frame-ancestors 'none'` when it has no frame-ancestors of its own.
 * - `Cache-Control: no-store` unless the route chose a policy (the docs assets cache for a day);
 *   the responses that carry secrets (sessions, a new API key) set `SECRET_RESPONSE_HEADERS`
 *   themselves, so they stay uncached whatever this default becomes.
 * - `Strict-Transport-Security` only on requests that came over HTTPS: the URL's scheme, or with
 *   TRUST_PROXY=true the proxy's `X-Forwarded-Proto`. Sent over plain HTTP it would be ignored,
 *   and a local `http://127.0.0.1` setup must keep working.
 */

const ALWAYS: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** One year, subdomains included (GitHub's policy, without asking to be preloaded). */
export const HSTS = "max-age=31536000; includeSubDomains";

/** RFC 6749 §5.1: responses carrying credentials must not be stored by any cache. */
export const SECRET_RESPONSE_HEADERS = { "cache-control": "no-store", pragma: "no-cache" } as const;

/**
 * The policy of an HTML page served by this process: its own scripts, styles, images, fonts and
 * API calls only; inline scripts only by hash (pass the `'sha256-…'` sources, see
 * `inlineScriptHashes`); no plugins, no framing, no foreign form targets.
 */
export function htmlContentSecurityPolicy(
  options: { scriptHashes?: readonly string[]; styleAttributeHashes?: readonly string[] } = {},
): string {
  const scripts = ["'self'", ...(options.scriptHashes ?? [])].join(" ");
  const styleAttributes = options.styleAttributeHashes?.length
    ? [`style-src-attr 'unsafe-hashes' ${options.styleAttributeHashes.join(" ")}`]
    : [];
  return [
    "default-src 'self'",
    `script-src ${scripts}`,
    "style-src 'self'",
    ...styleAttributes,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The CSP hash sources of the inline `<script>` elements of a page this process generated from
 * its own configuration (never of a page carrying user input: that would allow injected scripts).
 */
export function inlineScriptHashes(html: string): string[] {
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)];
  return inline.map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
}

/**
 * The policy of the dashboard's index.html. SvelteKit (kit.csp hash mode) writes the hashes of
 * its inline bootstrap script and of the one fixed inline style attribute it uses (the route
 * announcer) into a CSP meta tag of the built file; they are copied into the header here, once at
 * boot. The build is ours, never user input, so trusting its hashes allows nothing injected.
 */
export function adminContentSecurityPolicy(indexHtml: string): string {
  const meta = /<meta\s+http-equiv="content-security-policy"\s+content="([^"]*)"/i.exec(indexHtml)?.[1] ?? "";
  const hashesOf = (directive: string) =>
    (new RegExp(`(?:^|;)\\s*${directive}\\s+([^;]*)`).exec(meta)?.[1] ?? "").match(
      /'sha(256|384|512)-[^']+'/g,
    ) ?? [];
  const scriptHashes = hashesOf("script-src");
  return htmlContentSecurityPolicy({
    // No meta (a build without kit.csp): hash the inline scripts themselves.
    scriptHashes: scriptHashes.length ? scriptHashes : inlineScriptHashes(indexHtml),
    styleAttributeHashes: hashesOf("style-src-attr"),
  });
}

/** True when the client's connection was HTTPS (directly, or to the proxy we trust). */
function overHttps(request: Request, config: Config): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  if (!config.http.trustProxy) return false;
  const proto = request.headers.get("x-forwarded-proto")?.split(",").at(-1)?.trim().toLowerCase();
  return proto === "https";
}

/** Sets the security headers on `response` (mutated and returned). */
export function applySecurityHeaders(response: Response, request: Request, config: Config): Response {
  const headers = response.headers;
  for (const [name, value] of Object.entries(ALWAYS)) headers.set(name, value);
  const own = headers.get("content-security-policy");
  if (!own) headers.set("content-security-policy", API_CONTENT_SECURITY_POLICY);
  else if (!/(^|;)\s*frame-ancestors\s/i.test(own))
    headers.set("content-security-policy", `${own}; frame-ancestors 'none'`);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  if (overHttps(request, config)) headers.set("strict-transport-security", HSTS);
  return response;
}
