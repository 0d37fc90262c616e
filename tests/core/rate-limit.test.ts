import { describe, expect, test } from "bun:test";
import { consume, enforceRateLimit } from "../../core/rate-limit/index.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();
const rule = { limit: 3, windowSeconds: 60 };
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000);

describe("consume (sliding window in Postgres)", () => {
  test("allows `limit` requests, then refuses with an honest retry time", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await consume(db.pool, key, rule, at(0)));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.retryAfterSeconds).toBe(60);
    expect(results[3]!.resetSeconds).toBe(60);
  });

  test("no window ever holds more than the limit: a slot frees when its request is a window old", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const hits = [0, 20, 40]; // three requests spread over the first 40 s
    for (const t of hits) expect((await consume(db.pool, key, rule, at(t))).allowed).toBe(true);
    const refused = await consume(db.pool, key, rule, at(50)); // a token bucket would allow this one
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 10 });
    expect((await consume(db.pool, key, rule, at(59))).allowed).toBe(false);
    const freed = await consume(db.pool, key, rule, at(60)); // the request of t=0 left the window
    expect(freed).toMatchObject({ allowed: true, remaining: 0 });
    expect((await consume(db.pool, key, rule, at(61))).allowed).toBe(false);
    const later = await consume(db.pool, key, rule, at(3600));
    expect(later).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 60 });
  });

  test("refused requests cost nothing: hammering does not delay the next slot", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (let i = 0; i < 50; i++) await consume(db.pool, key, rule, at(0));
    expect((await consume(db.pool, key, rule, at(59))).allowed).toBe(false);
    expect((await consume(db.pool, key, rule, at(60))).allowed).toBe(true);
  });

  test("a lowered limit applies at once to the requests already in the window", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (const t of [0, 10, 20]) await consume(db.pool, key, rule, at(t));
    const lowered = { limit: 1, windowSeconds: 60 };
    expect(await consume(db.pool, key, lowered, at(30))).toMatchObject({
      allowed: false,
      retryAfterSeconds: 50, // a slot needs all three gone; the last (t=20) leaves at t=80
    });
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
