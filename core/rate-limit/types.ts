/** The shapes of rate limiting, shared by the counter (consume.ts) and its observers (observe.ts). */

/**
 * A limit: at most `limit` requests in any `windowSeconds` (a sliding window, counted in slots of
 * 1/60 of the window, so a request may be refused up to one slot width early, never late).
 */
export interface RateRule {
  limit: number;
  windowSeconds: number;
  /** False turns the rule off (RATE_LIMIT_ENABLED=false): every request is allowed, nothing is stored. */
  enabled?: boolean;
}

/** The outcome of one request against a rule; what the RateLimit-* headers report. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the whole limit is available again (RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds until the next request can succeed; 0 when this one was allowed. */
  retryAfterSeconds: number;
}
