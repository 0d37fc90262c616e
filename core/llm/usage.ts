import { computeCostUsd, type ModelPrice, resolvePrice } from "./prices.ts";
import { countTokens } from "./tokens.ts";
import type { ChatMessage, LlmOperation, UsageEntry } from "./types.ts";

/** Usage as the provider reported it, when it did. */
export interface ReportedUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
}

// OpenAI's documented per-message framing overhead, used only for estimates.
const PER_MESSAGE_TOKENS = 4;
const REPLY_PRIMING_TOKENS = 3;

/** js-tiktoken estimate of a prompt's tokens, for responses that carry no usage. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of messages) total += PER_MESSAGE_TOKENS + countTokens(message.content);
  return total;
}

export interface UsageInput {
  operation: LlmOperation;
  model: string;
  messages: readonly ChatMessage[];
  completion: string;
  reported: ReportedUsage | null | undefined;
  providerRequestId: string | null;
  correlationId: string;
  prices: Readonly<Record<string, ModelPrice>>;
}

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0;

/**
 * Builds the usage entry of one call: the provider's counts when present and well-formed,
 * otherwise a js-tiktoken estimate flagged `estimated`. Cost comes from the price table.
 */
export function buildUsageEntry(input: UsageInput): UsageEntry {
  const reported = input.reported;
  const fromApi = reported != null && isCount(reported.prompt_tokens) && isCount(reported.completion_tokens);
  const promptTokens = fromApi ? (reported.prompt_tokens as number) : estimatePromptTokens(input.messages);
  const completionTokens = fromApi ? (reported.completion_tokens as number) : countTokens(input.completion);
  const totalTokens =
    fromApi && isCount(reported.total_tokens) ? reported.total_tokens : promptTokens + completionTokens;
  const { price, source } = resolvePrice(input.model, input.prices);
  return {
    operation: input.operation,
    model: input.model,
    promptTokens,
    completionTokens,
    totalTokens,
    costUsd: computeCostUsd(price, promptTokens, completionTokens),
    priced: source !== "unknown",
    providerRequestId: input.providerRequestId,
    correlationId: input.correlationId,
    estimated: !fromApi,
  };
}
