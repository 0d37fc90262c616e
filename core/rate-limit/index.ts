export {
  consume,
  enforceRateLimit,
  type RateLimitResult,
  type RateRule,
  rateLimitedError,
} from "./consume.ts";
export { observeRateLimits, type RateLimitObserver } from "./observe.ts";
export { type RateRules, rateKeys, rateRules } from "./rules.ts";
