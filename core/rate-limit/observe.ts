import type { RateLimitResult } from "./types.ts";

/**
 * Lets a transport see every rate-limit decision without core knowing about transports: REST
 * registers one observer that copies the result into the current response's RateLimit-* headers
 * (api/rate-limit-headers.ts), so a use-case can simply call `enforceRateLimit`. Observers run
 * synchronously, before a refused request throws, and must not throw themselves.
 */
export type RateLimitObserver = (key: string, result: RateLimitResult) => void;

const observers = new Set<RateLimitObserver>();

/** Registers `observer` for the whole process; returns a function that removes it. */
export function observeRateLimits(observer: RateLimitObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function notifyObservers(key: string, result: RateLimitResult): void {
  for (const observer of observers) {
    try {
      observer(key, result);
    } catch {
      // an observer only decorates responses; it must never turn a decision into an error
    }
  }
}
