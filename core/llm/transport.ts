import type OpenAI from "openai";
import { LlmPermanentError, LlmTransientError } from "./errors.ts";
import type { ModelPrice } from "./prices.ts";
import { type BackoffSettings, classifyFailure, MalformedResponseError, retryDelayMs } from "./retry.ts";
import type { ChatMessage, LlmOperation, UsageEntry } from "./types.ts";
import { buildUsageEntry } from "./usage.ts";

/** Everything a call needs, resolved once per client. */
export interface TransportContext extends BackoffSettings {
  sdk: OpenAI;
  timeoutMs: number;
  maxAttempts: number;
  temperature: number | undefined;
  prices: Readonly<Record<string, ModelPrice>>;
  sleep: (ms: number) => Promise<void>;
}

export type ResponseFormat =
  | { type: "json_object" }
  | { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown>; strict: true } };

export interface ChatCall {
  operation: LlmOperation;
  model: string;
  messages: ChatMessage[];
  responseFormat: ResponseFormat;
  maxOutputTokens: number | undefined;
  correlationId: string;
}

export interface ChatReply {
  content: string;
  usage: UsageEntry;
}

/**
 * The reply's text. OpenAI sends a string; some compatible servers send content parts
 * (`[{type: "text", text}]`) or other values. Anything becomes text here, so the usage is
 * always recorded and output validation (with its repair call) decides what is usable.
 */
function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
      .join("");
  }
  return typeof content === "object" ? JSON.stringify(content) : String(content);
}

async function attemptOnce(ctx: TransportContext, call: ChatCall): Promise<ChatReply> {
  const body: OpenAI.ChatCompletionCreateParamsNonStreaming = {
    model: call.model,
    messages: call.messages,
    response_format: call.responseFormat,
  };
  if (call.maxOutputTokens !== undefined) body.max_completion_tokens = call.maxOutputTokens;
  if (ctx.temperature !== undefined) body.temperature = ctx.temperature;
  // Both spellings: OpenAI documents X-Client-Request-Id, proxies and gateways log X-Correlation-ID.
  const headers = { "X-Client-Request-Id": call.correlationId, "X-Correlation-ID": call.correlationId };
  const { data, request_id } = await ctx.sdk.chat.completions
    .create(body, { timeout: ctx.timeoutMs, maxRetries: 0, headers })
    .withResponse();
  if (typeof data !== "object" || data === null || !Array.isArray(data.choices)) {
    throw new MalformedResponseError("response is not a chat completion");
  }
  const content = messageText(data.choices[0]?.message?.content);
  const usage = buildUsageEntry({
    operation: call.operation,
    model: typeof data.model === "string" && data.model !== "" ? data.model : call.model,
    messages: call.messages,
    completion: content,
    reported: data.usage,
    providerRequestId: request_id ?? null,
    correlationId: call.correlationId,
    prices: ctx.prices,
  });
  return { content, usage };
}

/**
 * One logical chat call with our retry policy (the SDK's own retries are off): retries 429, 5xx,
 * timeouts, connection errors and unparseable 2xx bodies with backoff and jitter, honouring
 * Retry-After. Throws LlmTransientError when attempts run out, LlmPermanentError on other 4xx.
 */
export async function callChat(ctx: TransportContext, call: ChatCall): Promise<ChatReply> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(ctx, call);
    } catch (error) {
      const failure = classifyFailure(error);
      const details = {
        status: failure.status,
        attempts: attempt,
        correlationId: call.correlationId,
        cause: error,
      };
      if (!failure.retryable) {
        throw new LlmPermanentError(
          failure.kind,
          `LLM request rejected (HTTP ${failure.status}): ${failure.message}`,
          details,
        );
      }
      if (attempt >= ctx.maxAttempts) {
        const status = failure.status === null ? "" : ` (HTTP ${failure.status})`;
        throw new LlmTransientError(
          failure.kind,
          `LLM provider unavailable: ${failure.message}${status} after ${attempt} attempt(s)`,
          details,
        );
      }
      await ctx.sleep(retryDelayMs(attempt, failure, ctx));
    }
  }
}
