/**
 * The API's error envelope turned into an exception whose message is the API's own text (what
 * went wrong and what to do), so pages show it instead of "something went wrong".
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Validation problems by field, when the API named them (`details.fields[]`: `{ field, message }`). */
  fieldErrors(): Record<string, string> {
    const fields = this.details.fields;
    const out: Record<string, string> = {};
    if (!Array.isArray(fields)) return out;
    for (const f of fields as { field?: unknown; message?: unknown }[]) {
      if (typeof f.field === "string" && typeof f.message === "string" && !out[f.field])
        out[f.field] = f.message;
    }
    return out;
  }
}

type Envelope = {
  error?: { code?: string; message?: string; details?: Record<string, unknown>; request_id?: string };
};

/** Builds the ApiError of a failed response from its (already parsed) body. */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const error = (body as Envelope | undefined)?.error;
  if (error?.message) {
    return new ApiError(
      response.status,
      error.code ?? "error",
      error.message,
      error.details,
      error.request_id,
    );
  }
  const text = `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, "http_error", `The server answered ${text}.`);
}

/** The message to show a person for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "Could not reach the server. Check your connection and try again.";
  if (error instanceof Error && error.message) return error.message;
  return String(error);
}
