import { AppError } from "../../core/errors.ts";
import { errorResponse } from "../errors.ts";
import { currentRequestContext } from "../request-context.ts";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Which browser pages may call /mcp: the origins in ALLOWED_ORIGINS, and a page served from the
 * loopback host the request was sent to (local development). A same-origin page on any other
 * host is not trusted by itself: under DNS rebinding the attacker controls both Origin and Host.
 * The scheme is not compared because a TLS-terminating proxy makes ours http.
 */
function originAllowed(request: Request, origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return originUrl.host === host && LOOPBACK.has(originUrl.hostname);
}

/**
 * The spec's DNS-rebinding / cross-site guard. Non-browser clients send no Origin and pass.
 * Returns the 403 to send, or null.
 */
export function rejectForeignOrigin(request: Request, allowed: readonly string[]): Response | null {
  const origin = request.headers.get("origin");
  if (origin === null || originAllowed(request, origin, allowed)) return null;
  const requestId = currentRequestContext()?.requestId ?? "unknown";
  return errorResponse(
    new AppError(
      "forbidden",
      `Origin ${origin} may not call this MCP endpoint. Add it to ALLOWED_ORIGINS to allow it.`,
    ),
    requestId,
  );
}

/** Headers a browser needs to call /mcp from an allowed origin (none for other callers). */
export function corsHeaders(request: Request, allowed: readonly string[]): Record<string, string> {
  const origin = request.headers.get("origin");
  if (origin === null || !originAllowed(request, origin, allowed)) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-expose-headers": "mcp-session-id, mcp-protocol-version, www-authenticate, retry-after",
    vary: "Origin",
  };
}

/** The answer to a CORS preflight: which methods and headers a browser may send. */
export function preflight(request: Request, allowed: readonly string[]): Response {
  const foreign = rejectForeignOrigin(request, allowed);
  if (foreign) return foreign;
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(request, allowed),
      allow: "POST, OPTIONS",
      "access-control-allow-methods": "POST",
      "access-control-allow-headers":
        "authorization, x-api-key, content-type, accept, mcp-protocol-version, mcp-session-id, last-event-id",
      "access-control-max-age": "600",
    },
  });
}
