import OpenAI from "openai";
import { LlmNotConfiguredError } from "./errors.ts";
import { generateStructured, type StructuredContext } from "./structured.ts";
import type { LlmClient, LlmSettings, StructuredRequest, StructuredResult } from "./types.ts";

export const DEFAULT_BACKOFF_BASE_MS = 500;
export const DEFAULT_BACKOFF_MAX_MS = 30_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function notConfiguredClient(settings: LlmSettings): LlmClient {
  return {
    models: { ...settings.models },
    configured: false,
    generate: async () => {
      throw new LlmNotConfiguredError();
    },
  };
}

/**
 * Builds the metered OpenAI-compatible client. Never throws itself; with neither an API key nor a
 * base URL, every call throws LlmNotConfiguredError (permanent). A base URL without a key is
 * allowed (local vLLM/Ollama servers need none).
 */
export function createLlmClient(settings: LlmSettings): LlmClient {
  if (!settings.apiKey && !settings.baseURL) return notConfiguredClient(settings);
  const sdk = new OpenAI({
    apiKey: settings.apiKey || "not-needed",
    baseURL: settings.baseURL || undefined,
    timeout: settings.timeoutMs,
    maxRetries: 0,
  });
  const ctx: StructuredContext = {
    sdk,
    models: { ...settings.models },
    timeoutMs: settings.timeoutMs,
    maxAttempts: Math.max(1, settings.maxAttempts),
    backoffBaseMs: settings.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS,
    backoffMaxMs: settings.backoffMaxMs ?? DEFAULT_BACKOFF_MAX_MS,
    maxRetryAfterMs: settings.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    maxOutputTokens: settings.maxOutputTokens,
    temperature: settings.temperature,
    prices: settings.prices ?? {},
    sleep: settings.sleep ?? realSleep,
    random: settings.random ?? Math.random,
    newCorrelationId: settings.newCorrelationId ?? (() => crypto.randomUUID()),
    jsonModeOnly: new Set(),
  };
  return {
    models: ctx.models,
    generate: <T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> =>
      generateStructured(ctx, request),
  };
}
