import { AppError } from "../../core/errors.ts";
import { errorResponse } from "../errors.ts";
import { currentRequestContext } from "../request-context.ts";

/**
 * Refuses browser requests from foreign pages (the spec's DNS-rebinding / cross-site guard).
 * Non-browser clients send no Origin and pass. A browser Origin passes when it is listed in
 * ALLOWED_ORIGINS or names the host the request was sent to (same-origin; the scheme is not
 * compared because a TLS-terminating proxy makes ours http). Returns the 403 to send, or null.
 */
export function rejectForeignOrigin(request: Request, allowed: readonly string[]): Response | null {
  const origin = request.headers.get("origin");
  if (origin === null || allowed.includes(origin)) return null;
  const host = request.headers.get("host") ?? new URL(request.url).host;
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    // "null" (sandboxed frames, file://) and garbage are never same-origin
  }
  if (originHost !== null && originHost !== "" && originHost === host) return null;
  const requestId = currentRequestContext()?.requestId ?? "unknown";
  return errorResponse(
    new AppError(
      "forbidden",
      `Origin ${origin} may not call this MCP endpoint. Add it to ALLOWED_ORIGINS to allow it.`,
    ),
    requestId,
  );
}
