export { consume, enforceRateLimit, peekRateLimit, rateLimitedError } from "./consume.ts";
export { rateKeys } from "./keys.ts";
export { observeRateLimits, type RateLimitObserver } from "./observe.ts";
export type { RateLimitResult, RateRule } from "./types.ts";
