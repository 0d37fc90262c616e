import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { LlmErrorKind } from "./errors.ts";

/** How one failed attempt is classified. */
export interface AttemptFailure {
  kind: LlmErrorKind;
  retryable: boolean;
  status: number | null;
  retryAfterMs: number | null;
  message: string;
}

/** Thrown by our own response checks when a 2xx body is not a chat completion. */
export class MalformedResponseError extends Error {}

function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : error.message;
  return text.slice(0, 300);
}

/** Parses `retry-after-ms` (OpenAI) or `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get("retry-after");
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Sorts an attempt's failure into retryable (429, 5xx, timeout, connection, garbage) or not. */
export function classifyFailure(error: unknown): AttemptFailure {
  const base = { status: null, retryAfterMs: null };
  if (error instanceof APIConnectionTimeoutError) {
    return { ...base, kind: "timeout", retryable: true, message: "request timed out" };
  }
  if (error instanceof APIConnectionError) {
    return { ...base, kind: "connection", retryable: true, message: "could not reach the provider" };
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const retryAfterMs = parseRetryAfter(error.headers);
    if (status === 429)
      return { kind: "rate_limited", retryable: true, status, retryAfterMs, message: "rate limited" };
    if (status >= 500) {
      return {
        kind: "server_error",
        retryable: true,
        status,
        retryAfterMs,
        message: `provider error ${status}`,
      };
    }
    return { ...base, kind: "rejected", retryable: false, status, message: providerMessage(error) };
  }
  // A 2xx whose body is not JSON (the SDK throws SyntaxError) or not a completion: a proxy or
  // provider hiccup, worth another attempt.
  if (error instanceof SyntaxError || error instanceof MalformedResponseError) {
    return { ...base, kind: "malformed_response", retryable: true, message: "malformed response body" };
  }
  throw error;
}

export interface BackoffSettings {
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

/**
 * Delay before attempt `attempt + 1`: exponential step with jitter in [50%, 100%] of it, and at
 * least the provider's Retry-After (clamped), because retrying earlier only earns another 429.
 */
export function retryDelayMs(attempt: number, failure: AttemptFailure, settings: BackoffSettings): number {
  const step = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempt - 1));
  const jittered = Math.round(step * (0.5 + settings.random() * 0.5));
  if (failure.retryAfterMs === null) return jittered;
  return Math.max(jittered, Math.min(failure.retryAfterMs, settings.maxRetryAfterMs));
}
