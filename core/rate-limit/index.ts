export { type CountedRequest, createRateCounter, type RateCounter } from "./batched.ts";
export {
  consume,
  enforceRateLimit,
  type Hit,
  peekRateLimit,
  rateLimitedError,
  refundRateToken,
  settleHit,
} from "./consume.ts";
export { rateKeys } from "./keys.ts";
export { observeRateLimits, type RateLimitObserver } from "./observe.ts";
export type { RateLimitResult, RateRule } from "./types.ts";
