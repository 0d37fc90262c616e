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

/**
 * Input problems HTTP names more precisely than 422, by the error's `details.reason`: a body that
 * cannot be parsed or nests too deep to be (400) and a body that is not JSON at all (415). The
 * code stays `invalid_input`.
 */
const INPUT_STATUS: Record<string, number> = {
  malformed_body: 400,
  nesting_too_deep: 400,
  unsupported_media_type: 415,
};

/** The HTTP status of an error: the only place a REST status is chosen. */
export function httpStatus(error: AppError): number {
  const reason = error.details?.reason;
  const refined =
    error.code === "invalid_input" && typeof reason === "string" ? INPUT_STATUS[reason] : undefined;
  return refined ?? HTTP_STATUS[error.code];
}

/**
 * What a REST client can do next, by `details.reason`, for domain errors whose message stays
 * neutral to the transport (core never names a path); appended to the message.
 */
const REST_HINTS: Record<string, string> = {
  starter_read_only: "Copy it with POST /v1/playbooks and starter_id.",
  playbook_archived: 'Restore it with PUT /v1/playbooks/{id} and status "active".',
  no_pending_outcomes: "Report them with POST /v1/playbooks/{id}/outcomes.",
  expired: "Refresh it with POST /v1/auth/refresh.",
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
  const reason = error.details?.reason;
  const hint = typeof reason === "string" ? REST_HINTS[reason] : undefined;
  return {
    error: {
      code: error.code,
      message: hint ? `${error.message} ${hint}` : error.message,
      request_id: requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/** A JSON error response with the status and headers its error calls for. */
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
    status: httpStatus(error),
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
