export {
  createLlmClient,
  DEFAULT_BACKOFF_BASE_MS,
  DEFAULT_BACKOFF_MAX_MS,
  DEFAULT_MAX_RETRY_AFTER_MS,
} from "./client.ts";
export {
  isLlmError,
  LlmError,
  type LlmErrorKind,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmPermanentError,
  LlmTransientError,
} from "./errors.ts";
export {
  computeCostUsd,
  formatMicroUsd,
  type ModelPrice,
  PRICE_TABLE,
  type PriceSource,
  type ResolvedPrice,
  resolvePrice,
  sumCostUsd,
} from "./prices.ts";
export { parseRetryAfter } from "./retry.ts";
export { validateOutput } from "./structured.ts";
export { clearTokenCache, countLineTokens, countTextTokensByLine, countTokens } from "./tokens.ts";
export type {
  ChatMessage,
  LlmClient,
  LlmOperation,
  LlmRole,
  LlmSettings,
  StructuredRequest,
  StructuredResult,
  UsageEntry,
} from "./types.ts";
export { buildUsageEntry, estimatePromptTokens } from "./usage.ts";
