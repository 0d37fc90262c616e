import type { Config } from "../core/config.ts";

const BACKSTOP_BYTES = 64 * 1024 * 1024;
const EVENTS_PATH = "/v1/events";

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
    fetch: (request, server) => {
      // An event stream is quiet between pings: exempt it from Bun's idle timeout (10 s by
      // default); it ends itself (EVENTS_STREAM_MAX_SECONDS) and on shutdown.
      if (request.method === "GET" && new URL(request.url).pathname === EVENTS_PATH)
        server.timeout(request, 0);
      return handler(request, server.requestIP(request)?.address);
    },
  });
}
