/**
 * The one error type of the domain. Every transport maps `code` through one table:
 * REST → HTTP status + error envelope, MCP → tool result with isError, worker → fail or retry.
 * `message` must be safe to show a user or a model: no SQL, stack or paths.
 */
export const ERROR_CODES = [
  "invalid_input",
  "unauthenticated",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "rate_limited",
  "payload_too_large",
  "unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  /** Structured detail safe for clients (e.g. which field, the limit). */
  details?: Record<string, unknown>;
  /** Seconds until a retry may succeed (rate limits, lockouts). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

// Postgres refuses some text it is sent; that is the client's input, not our failure.
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

/**
 * The AppError for an error that is really about the input (e.g. a NUL character, which Postgres
 * cannot store in text), or the error itself when it already is one; undefined otherwise.
 * Transports call it before treating an error as internal.
 */
export function asAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  const code = (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof code === "string" && UNSTORABLE_TEXT.has(code)) {
    return new AppError(
      "invalid_input",
      "The input contains a character that cannot be stored (such as NUL, \\u0000). Remove it and try again.",
    );
  }
  return undefined;
}
