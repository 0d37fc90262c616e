import type { ZodType } from "zod";
import type { ModelPrice } from "./prices.ts";

/** The two model roles of the engine; each may use a different model. */
export type LlmRole = "reflector" | "curator";

/** What one LLM call was for. `repair` is the single retry after invalid structured output. */
export type LlmOperation = "reflect" | "curate" | "repair";

/** One entry per LLM call that returned tokens. Money is a 6-decimal string, never a float. */
export interface UsageEntry {
  operation: LlmOperation;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string;
  /** False when the model is in neither the price table nor the overrides (cost is then 0). */
  priced: boolean;
  providerRequestId: string | null;
  correlationId: string;
  /** True when the response had no `usage` and the counts are js-tiktoken estimates. */
  estimated: boolean;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A request for a JSON object validated by `schema` (zod) and described by `jsonSchema`. */
export interface StructuredRequest<T> {
  role: LlmRole;
  operation: Exclude<LlmOperation, "repair">;
  messages: ChatMessage[];
  /** Name sent with `response_format: json_schema` (letters, digits, `_`, `-`). */
  schemaName: string;
  /** JSON Schema in OpenAI strict-mode shape (all properties required, no extra properties). */
  jsonSchema: Record<string, unknown>;
  schema: ZodType<T>;
  maxOutputTokens?: number;
}

export interface StructuredResult<T> {
  value: T;
  /** Every call made for this request, including the one whose output needed a repair. */
  usage: UsageEntry[];
}

/** What the engine needs from an LLM. `createLlmClient` builds the real one; tests may stub it. */
export interface LlmClient {
  readonly models: Readonly<Record<LlmRole, string>>;
  /** false when no provider is configured (every call would fail); absent means configured. */
  readonly configured?: boolean;
  generate<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
}

export interface LlmSettings {
  /** OpenAI-compatible endpoint, e.g. `https://api.openai.com/v1` or a vLLM/Ollama URL. */
  baseURL?: string;
  apiKey?: string;
  models: Record<LlmRole, string>;
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** Total attempts per call, including the first (1 = no retry). */
  maxAttempts: number;
  /** Exponential backoff base and cap; full jitter is applied between 50% and 100% of the step. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A `Retry-After` longer than this is clamped to it. */
  maxRetryAfterMs?: number;
  maxOutputTokens?: number;
  temperature?: number;
  /** Price overrides per model (merged over the built-in table). */
  prices?: Record<string, ModelPrice>;
  /** Injected for tests (a fake clock); defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Injected for tests; defaults to Math.random. Only used for backoff jitter. */
  random?: () => number;
  newCorrelationId?: () => string;
}
