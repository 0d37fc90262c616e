import { AppError } from "../core/errors.ts";

/**
 * CSRF guard for requests authenticated by the refresh COOKIE (refresh, logout), which a browser
 * attaches by itself. The cookie is already `SameSite=Strict`; on top of that such a request must
 * carry a custom header, which a cross-site page can only send after a CORS preflight we never
 * grant, and must not come from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` that is
 * neither this host nor in ALLOWED_ORIGINS). Requests that send the refresh token in the body are
 * not checked: a forged request cannot know the token.
 */
export const CSRF_HEADER = "X-Requested-With";
/** What the dashboard sends; any non-empty value passes. */
export const CSRF_HEADER_VALUE = "ace-admin";

const refuse = (message: string, reason: string) =>
  new AppError("forbidden", message, { details: { reason, required_header: CSRF_HEADER } });

/** Throws `forbidden` (with what to send) unless the cookie-authenticated request is safe. */
export function assertCookieRequestSafe(request: Request, allowedOrigins: readonly string[]): void {
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site") {
    throw refuse("The refresh cookie cannot be used from another site.", "cross_site");
  }
  const origin = request.headers.get("origin");
  if (origin !== null && !sameOrAllowed(request, origin, allowedOrigins)) {
    throw refuse(
      `The refresh cookie cannot be used from origin ${origin}. Add it to ALLOWED_ORIGINS if it is yours.`,
      "cross_origin",
    );
  }
  if (!request.headers.get(CSRF_HEADER)?.trim()) {
    throw refuse(
      `Requests authenticated by the refresh cookie must send the header ${CSRF_HEADER}: ${CSRF_HEADER_VALUE} (or send refresh_token in the body).`,
      "csrf_header_missing",
    );
  }
}

/** This host (scheme not compared: a TLS-terminating proxy makes ours http) or a configured origin. */
function sameOrAllowed(request: Request, origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === (request.headers.get("host") ?? new URL(request.url).host);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}
