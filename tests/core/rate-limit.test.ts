import { describe, expect, test } from "bun:test";
import { consume, enforceRateLimit } from "../../core/rate-limit/index.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();
const rule = { limit: 3, windowSeconds: 60 }; // one token every 20 s
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000);

describe("consume (token bucket in Postgres)", () => {
  test("allows `limit` requests, then refuses with an honest retry time", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await consume(db.pool, key, rule, at(0)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[3]!.retryAfterSeconds).toBe(20);
  });

  test("refills with time: after the retry time, the next request passes", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (let i = 0; i < 3; i++) await consume(db.pool, key, rule, at(0));
    const refused = await consume(db.pool, key, rule, at(1));
    expect(refused.allowed).toBe(false);
    const later = await consume(db.pool, key, rule, at(1 + refused.retryAfterSeconds));
    expect(later.allowed).toBe(true);
    const full = await consume(db.pool, key, rule, at(3600));
    expect(full.remaining).toBe(2); // capped at the limit, minus this request
  });

  test("refused requests cost nothing: hammering does not delay the next token", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (let i = 0; i < 50; i++) await consume(db.pool, key, rule, at(0));
    expect((await consume(db.pool, key, rule, at(19))).allowed).toBe(false);
    expect((await consume(db.pool, key, rule, at(20))).allowed).toBe(true);
  });

  test("concurrent requests never exceed the limit", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => consume(db.pool, key, { limit: 5, windowSeconds: 3600 }, at(0))),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  test("enforceRateLimit throws rate_limited with retryAfterSeconds; disabled rules store nothing", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const one = { limit: 1, windowSeconds: 60 };
    await enforceRateLimit(db.pool, key, one, { now: at(0) });
    const error = await enforceRateLimit(db.pool, key, one, { now: at(0), what: "outcome reports" }).catch(
      (e) => e,
    );
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBe(60);
    expect(error.message).toContain("Too many outcome reports");
    for (let i = 0; i < 5; i++)
      expect((await consume(db.pool, key, { ...one, enabled: false })).allowed).toBe(true);
  });
});
