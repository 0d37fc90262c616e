import type { UsageEntry } from "./types.ts";

export type LlmErrorKind =
  | "not_configured"
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "connection"
  | "malformed_response"
  | "rejected"
  | "invalid_output";

export interface LlmErrorDetails {
  status?: number | null;
  attempts?: number;
  correlationId?: string | null;
  usage?: UsageEntry[];
  cause?: unknown;
}

/**
 * Base of every LLM failure. `transient` tells the worker what to do: retry the job later
 * (provider overloaded/unreachable) or fail it (misconfiguration, rejected request, bad output).
 * `usage` holds the calls that cost tokens before the failure, so spend is still recorded.
 * Messages are safe to show a user: no keys, no stacks.
 */
export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly transient: boolean;
  readonly status: number | null;
  readonly attempts: number;
  readonly correlationId: string | null;
  usage: UsageEntry[];

  constructor(kind: LlmErrorKind, transient: boolean, message: string, details: LlmErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "LlmError";
    this.kind = kind;
    this.transient = transient;
    this.status = details.status ?? null;
    this.attempts = details.attempts ?? 1;
    this.correlationId = details.correlationId ?? null;
    this.usage = details.usage ?? [];
  }
}

/** Retries exhausted on 429, 5xx, timeouts, connection failures or unparseable responses. */
export class LlmTransientError extends LlmError {
  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(kind, true, message, details);
    this.name = "LlmTransientError";
  }
}

/** Will not get better by retrying: a 4xx other than 429, missing configuration, invalid output. */
export class LlmPermanentError extends LlmError {
  constructor(kind: LlmErrorKind, message: string, details: LlmErrorDetails = {}) {
    super(kind, false, message, details);
    this.name = "LlmPermanentError";
  }
}

export class LlmNotConfiguredError extends LlmPermanentError {
  constructor() {
    super(
      "not_configured",
      "LLM not configured: the operator must set OPENAI_API_KEY (and/or OPENAI_BASE_URL) for the LLM provider",
    );
    this.name = "LlmNotConfiguredError";
  }
}

/** The model's output failed validation, and so did the one repair attempt. */
export class LlmInvalidOutputError extends LlmPermanentError {
  constructor(message: string, details: LlmErrorDetails = {}) {
    super("invalid_output", message, details);
    this.name = "LlmInvalidOutputError";
  }
}

export const isLlmError = (error: unknown): error is LlmError => error instanceof LlmError;
