import type { Config } from "../core/config.ts";

const BACKSTOP_BYTES = 64 * 1024 * 1024;

type FetchHandler = (request: Request, ip?: string) => Promise<Response>;

/** Serves the platform's fetch handler over HTTP, passing on each client's address. */
export function serveHttp(
  handler: FetchHandler,
  config: Config,
  listen: { hostname?: string; port?: number } = {},
) {
  return Bun.serve({
    hostname: listen.hostname ?? config.http.host,
    port: listen.port ?? config.http.port,
    // Only a backstop: the fetch handler refuses bodies over the limit with a proper 413 envelope
    // without reading them, which Bun's own limit (an empty 413) would pre-empt if it were close.
    maxRequestBodySize: Math.max(config.http.bodyMaxBytes * 4, BACKSTOP_BYTES),
    fetch: (request, server) => handler(request, server.requestIP(request)?.address),
  });
}
