import { AppError, type ErrorCode } from "../core/errors.ts";

/** REST's one mapping from domain error codes to HTTP statuses. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
};

/** The error envelope every non-2xx JSON response uses. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode;
    message: string;
    request_id: string;
    details?: Record<string, unknown>;
  };
}

export function errorEnvelope(error: AppError, requestId: string): ErrorEnvelope {
  return {
    error: {
      code: error.code,
      message: error.message,
      request_id: requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/** A JSON error response with the headers its status calls for. */
export function errorResponse(
  error: AppError,
  requestId: string,
  headers: Record<string, string> = {},
): Response {
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfterSeconds !== undefined)
    extra["retry-after"] = String(Math.ceil(error.retryAfterSeconds));
  if (error.code === "unauthenticated" && !extra["www-authenticate"]) {
    // RFC 6750 §3.1: no error code when the request carried no credentials at all.
    extra["www-authenticate"] =
      error.details?.reason === "missing"
        ? 'Bearer realm="ace"'
        : 'Bearer realm="ace", error="invalid_token"';
  }
  return Response.json(errorEnvelope(error, requestId), {
    status: HTTP_STATUS[error.code],
    headers: { "x-request-id": requestId, ...extra },
  });
}

/** Elysia's validation error, turned into a message naming the fields to fix. */
export function validationError(error: { all?: unknown; message?: string }): AppError {
  const issues = Array.isArray(error.all) ? (error.all as Array<{ path?: string; message?: string }>) : [];
  const fields = issues.map((i) => ({
    // Elysia names the whole body (or query) "root"; users know it as the body.
    field:
      (i.path ?? "")
        .replace(/^\//, "")
        .replaceAll("/", ".")
        .replace(/^root$/, "") || "body",
    // zod says "Invalid input: expected string, received undefined" for a missing field
    message: /received undefined$/.test(i.message ?? "") ? "is required" : (i.message ?? "is invalid"),
  }));
  const summary = fields.length
    ? fields.map((f) => `${f.field}: ${f.message}`).join("; ")
    : "the request does not match the expected shape";
  return new AppError("invalid_input", `Invalid request: ${summary}`, { details: { fields } });
}
