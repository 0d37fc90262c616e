import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { consume, createRateCounter, enforceRateLimit } from "../../core/rate-limit/index.ts";
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
    expect(results[3]!.retryAfterSeconds).toBe(61);
    expect(results[3]!.resetSeconds).toBe(61);
  });

  // With a 60 s window a slot is 1 s wide: a request made at t counts until t + 61 at the latest.
  test("no window ever holds more than the limit: a request stops counting a window (+1 slot) later", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const hits = [0, 20, 40]; // three requests spread over the first 40 s
    for (const t of hits) expect((await consume(db.pool, key, rule, at(t))).allowed).toBe(true);
    const refused = await consume(db.pool, key, rule, at(50)); // a token bucket would allow this one
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 11 });
    expect((await consume(db.pool, key, rule, at(60))).allowed).toBe(false); // t=0 still in the window
    const freed = await consume(db.pool, key, rule, at(61)); // now it has left
    expect(freed).toMatchObject({ allowed: true, remaining: 0 });
    expect((await consume(db.pool, key, rule, at(62))).allowed).toBe(false);
    const later = await consume(db.pool, key, rule, at(3600));
    expect(later).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 61 });
  });

  test("a window's worth of bursts, checked second by second, never exceeds the limit", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const allowedAt: number[] = [];
    for (let t = 0; t < 300; t += 7)
      for (let i = 0; i < 3; i++) if ((await consume(db.pool, key, rule, at(t))).allowed) allowedAt.push(t);
    for (let start = 0; start < 300; start++) {
      const inWindow = allowedAt.filter((t) => t >= start && t < start + 60).length;
      expect({ start, inWindow: Math.min(inWindow, 3) }).toEqual({ start, inWindow });
    }
    expect(allowedAt.length).toBeGreaterThanOrEqual(12); // ~3 per 61 s over 300 s: it does let requests through
  });

  test("refused requests cost nothing: hammering does not delay the next slot", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (let i = 0; i < 50; i++) await consume(db.pool, key, rule, at(0));
    expect((await consume(db.pool, key, rule, at(60))).allowed).toBe(false);
    expect((await consume(db.pool, key, rule, at(61))).allowed).toBe(true);
  });

  test("a lowered limit applies at once to the requests already in the window", async () => {
    const key = `t:${crypto.randomUUID()}`;
    for (const t of [0, 10, 20]) await consume(db.pool, key, rule, at(t));
    const lowered = { limit: 1, windowSeconds: 60 };
    expect(await consume(db.pool, key, lowered, at(30))).toMatchObject({
      allowed: false,
      retryAfterSeconds: 51, // a slot needs all three gone; the last (t=20) stops counting at t=81
    });
  });

  test("state stays bounded whatever the limit: at most one slot per 1/60 of the window", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const big = { limit: 1_000_000, windowSeconds: 3600 };
    for (let t = 0; t < 7200; t += 30) await consume(db.pool, key, big, at(t));
    const slots = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select cardinality(slots) as n from rate_limit_buckets where key = ${key}`);
    expect(slots).toBeLessThanOrEqual(61);
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
    expect(error.retryAfterSeconds).toBe(61);
    expect(error.message).toContain("Too many outcome reports");
    for (let i = 0; i < 5; i++)
      expect((await consume(db.pool, key, { ...one, enabled: false })).allowed).toBe(true);
  });
});

describe("createRateCounter (concurrent requests counted in batches)", () => {
  const used = (key: string) =>
    db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select coalesce((select sum(c) from rate_limit_buckets, unnest(counts) c where key = ${key}), 0)::int as n`);

  /** The pool, counting the statements the counter sends through it. */
  const counting = () => {
    const calls = { n: 0 };
    const proxy = new Proxy(db.pool, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== "one") return value;
        return (...args: unknown[]) => {
          calls.n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return { pool: proxy, calls };
  };

  test("a burst grants exactly the limit, each allowed request with its own remaining count", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const { pool, calls } = counting();
    const counter = createRateCounter(pool);
    const rule = { limit: 20, windowSeconds: 3600 };
    const results = await Promise.all(Array.from({ length: 50 }, () => counter.consume(key, rule, at(0))));
    const allowed = results.filter((r) => r.allowed);
    expect(allowed).toHaveLength(20);
    expect(allowed.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    for (const refused of results.filter((r) => !r.allowed))
      expect(refused).toMatchObject({ remaining: 0, retryAfterSeconds: 3660 });
    expect(await used(key)).toBe(20); // refused requests are not counted
    expect(calls.n).toBeLessThan(50); // the burst went in batches, not one statement per request
    expect(calls.n).toBeGreaterThanOrEqual(1);
  });

  test("two processes' counters on one bucket never overshoot together", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const rule = { limit: 30, windowSeconds: 3600 };
    const [a, b] = [createRateCounter(db.pool), createRateCounter(db.pool)];
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).consume(key, rule, at(0))),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(30);
    expect(await used(key)).toBe(30);
  });

  test("a batch counts at its latest clock, and a lone request later counts on its own", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const counter = createRateCounter(db.pool);
    const rule = { limit: 3, windowSeconds: 60 };
    const burst = await Promise.all([0, 5, 2].map((t) => counter.consume(key, rule, at(t))));
    expect(burst.every((r) => r.allowed)).toBe(true);
    // The first went alone at t=0; the other two together, counted at t=5, never earlier.
    expect(burst.map((r) => r.countedAt.getTime() >= at(0).getTime())).toEqual([true, true, true]);
    expect(Math.max(...burst.map((r) => r.countedAt.getTime()))).toBe(at(5).getTime());
    expect(await counter.consume(key, rule, at(30))).toMatchObject({ allowed: false });
  });

  test("a failed count rejects its batch only; the next request is counted again", async () => {
    const key = `t:${crypto.randomUUID()}`;
    let fail = true;
    const flaky = new Proxy(db.pool, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== "one") return value;
        return (...args: unknown[]) =>
          fail
            ? Promise.reject(new Error("connection lost"))
            : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const counter = createRateCounter(flaky);
    const rule = { limit: 5, windowSeconds: 60 };
    const failed = await Promise.allSettled([1, 2, 3].map(() => counter.consume(key, rule, at(0))));
    expect(failed.every((r) => r.status === "rejected")).toBe(true);
    fail = false;
    expect(await counter.consume(key, rule, at(0))).toMatchObject({ allowed: true, remaining: 4 });
  });

  test("a disabled rule allows everything and stores nothing", async () => {
    const key = `t:${crypto.randomUUID()}`;
    const counter = createRateCounter(db.pool);
    const result = await counter.consume(key, { limit: 1, windowSeconds: 60, enabled: false });
    expect(result.allowed).toBe(true);
    expect(await used(key)).toBe(0);
  });
});
