import { beforeAll, describe, expect, test } from "bun:test";
import { BackendTerminatedUnexpectedlyError, sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../../core/auth/caller.ts";
import { createGroupCommit } from "../../../core/db/group-commit.ts";
import { createDbPool } from "../../../core/db/pool.ts";
import { createOutcomeWriter } from "../../../core/outcomes/index.ts";
import { insertOutcomes, type NewOutcome } from "../../../core/outcomes/queries.ts";
import { archivePlaybook, createPlaybook } from "../../../core/playbooks/index.ts";
import { useTestDatabase } from "../../support/db.ts";
import { createUser } from "../../support/factories.ts";

const db = useTestDatabase();
const limits = { maxBytes: 100 * 1024 };

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
  bob = await createUser(db.pool);
});

const outcome = (caller: Caller, playbookId: string, extra: Partial<NewOutcome> = {}): NewOutcome => ({
  playbookId,
  userId: caller.userId,
  apiKeyId: null,
  taskDescription: "Sync contacts",
  status: "success",
  reasoningTrace: null,
  notes: null,
  bulletsUsed: ["shr-00001"],
  idempotencyKey: null,
  ...extra,
});

const counters = (id: string) =>
  db.pool.one(sql.type(
    z.object({ outcome_count: z.number(), pending_outcomes: z.number(), stored: z.number() }),
  )`
    select outcome_count, pending_outcomes,
      (select count(*)::int from outcomes where playbook_id = ${id}) as stored
    from playbooks where id = ${id}`);

/** The pool, counting the statements sent through it. */
const counting = () => {
  const calls = { n: 0 };
  const pool = new Proxy(db.pool, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || !["one", "maybeOne", "any"].includes(String(name))) return value;
      return (...args: unknown[]) => {
        calls.n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { pool, calls };
};

describe("insertOutcomes (many reports, one statement)", () => {
  test("answers each in order: its id and pending count, or null for what it may not insert", async () => {
    const a = await createPlaybook(db.pool, alice, { name: "a" }, limits);
    const b = await createPlaybook(db.pool, alice, { name: "b" }, limits);
    const archived = await createPlaybook(db.pool, alice, { name: "archived" }, limits);
    await archivePlaybook(db.pool, alice, archived.id);
    const bobs = await createPlaybook(db.pool, bob, { name: "bob's" }, limits);
    const results = await insertOutcomes(db.pool, [
      outcome(alice, a.id),
      outcome(alice, b.id, { idempotencyKey: "k1" }),
      outcome(alice, a.id, { status: "failure", bulletsUsed: [] }),
      outcome(alice, b.id, { idempotencyKey: "k1" }), // the same key twice in one batch: counted once
      outcome(alice, bobs.id), // another user's playbook
      outcome(alice, archived.id),
      outcome(alice, a.id, { reasoningTrace: "trace", notes: "notes" }),
    ]);
    expect(results.map((r) => r?.pending_outcomes ?? null)).toEqual([1, 1, 2, null, null, null, 3]);
    expect(new Set(results.filter(Boolean).map((r) => r!.id)).size).toBe(4);
    expect(await counters(a.id)).toEqual({ outcome_count: 3, pending_outcomes: 3, stored: 3 });
    expect(await counters(b.id)).toEqual({ outcome_count: 1, pending_outcomes: 1, stored: 1 });
    expect(await counters(bobs.id)).toEqual({ outcome_count: 0, pending_outcomes: 0, stored: 0 });
    const again = await insertOutcomes(db.pool, [
      outcome(alice, b.id, { idempotencyKey: "k1" }),
      outcome(alice, b.id),
    ]);
    expect(again.map((r) => r?.pending_outcomes ?? null)).toEqual([null, 2]); // the key exists already
    const stored = await db.pool.one(sql.type(
      z.object({ status: z.string(), trace: z.string().nullable(), bullets: z.unknown() }),
    )`
      select status::text, reasoning_trace as trace, bullets_used as bullets from outcomes where id = ${results[6]!.id}`);
    expect(stored).toEqual({ status: "success", trace: "trace", bullets: ["shr-00001"] });
  });
});

describe("insertOutcomes from two processes", () => {
  test("two batches with the same keys in opposite orders never wait for each other crosswise", async () => {
    const pools = [
      await createDbPool(db.url, { maxPoolSize: 1 }),
      await createDbPool(db.url, { maxPoolSize: 1 }),
    ];
    try {
      const p = await createPlaybook(db.pool, alice, { name: "crosswise" }, limits);
      const timeout = await db.pool.oneFirst(sql.type(z.object({ ms: z.number() }))`
        select extract(epoch from current_setting('deadlock_timeout')::interval)::float8 * 1000 as ms`);
      let slowest = 0;
      for (let round = 0; round < 20; round++) {
        const keys = Array.from({ length: 50 }, (_, i) =>
          outcome(alice, p.id, { idempotencyKey: `r${round}-${i}` }),
        );
        const started = performance.now();
        const [a, b] = await Promise.all([
          insertOutcomes(pools[0]!, keys),
          insertOutcomes(pools[1]!, [...keys].reverse()),
        ]);
        slowest = Math.max(slowest, performance.now() - started);
        expect([...a!, ...b!].filter(Boolean)).toHaveLength(50); // each key stored once
      }
      // A crosswise wait is a deadlock, found only after deadlock_timeout.
      expect(slowest).toBeLessThan(timeout);
      expect(await counters(p.id)).toEqual({ outcome_count: 1000, pending_outcomes: 1000, stored: 1000 });
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});

describe("createOutcomeWriter (group commit)", () => {
  test("concurrent reports share statements; every one is stored once and the counters stay exact", async () => {
    const playbooks = await Promise.all(
      ["x", "y", "z"].map((name) => createPlaybook(db.pool, alice, { name }, limits)),
    );
    const { pool, calls } = counting();
    const writer = createOutcomeWriter(pool);
    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) => writer.insert(outcome(alice, playbooks[i % 3]!.id))),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(calls.n).toBeLessThan(90);
    for (const [n, p] of playbooks.entries()) {
      expect(await counters(p.id)).toEqual({ outcome_count: 30, pending_outcomes: 30, stored: 30 });
      const pending = results.filter((_, i) => i % 3 === n).map((r) => r!.pending_outcomes);
      expect(pending.sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    }
  });

  test("two processes' writers on the same playbooks: nothing lost, nothing counted twice", async () => {
    const playbooks = await Promise.all(
      ["p", "q", "r", "s"].map((name) => createPlaybook(db.pool, alice, { name }, limits)),
    );
    const [one, two] = [createOutcomeWriter(db.pool), createOutcomeWriter(db.pool)];
    const results = await Promise.all(
      Array.from({ length: 160 }, (_, i) =>
        (i % 2 ? one : two).insert(
          // Each writer walks the playbooks in its own order, so concurrent batches meet on rows.
          outcome(alice, playbooks[i % 2 ? i % 4 : 3 - (i % 4)]!.id, { idempotencyKey: `k${i % 120}` }),
        ),
      ),
    );
    const stored = results.filter((r) => r !== null);
    expect(stored).toHaveLength(120); // reports i and i + 120 share a key and a playbook: one is stored
    expect(new Set(stored.map((r) => r!.id)).size).toBe(120);
    let total = 0;
    for (const p of playbooks) {
      const c = await counters(p.id);
      expect(c.outcome_count).toBe(c.stored);
      expect(c.pending_outcomes).toBe(c.stored);
      total += c.stored;
    }
    expect(total).toBe(stored.length);
  });

  test("a locked playbook holds up its owner's reports only, not another user's", async () => {
    const mine = await createPlaybook(db.pool, alice, { name: "locked" }, limits);
    const theirs = await createPlaybook(db.pool, bob, { name: "free" }, limits);
    const writer = createOutcomeWriter(db.pool);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = db.pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`select id from playbooks where id = ${mine.id} for no key update`);
      locked();
      await held;
    });
    await isLocked;
    let aliceDone = false;
    const alices = writer.insert(outcome(alice, mine.id)).then((r) => {
      aliceDone = true;
      return r;
    });
    const bobs = await writer.insert(outcome(bob, theirs.id)); // answered while Alice's waits
    expect(bobs?.pending_outcomes).toBe(1);
    expect(aliceDone).toBe(false);
    release();
    await holder;
    expect((await alices)?.pending_outcomes).toBe(1);
  });

  test("a batch that fails is written report by report: only the bad one gets the error", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "one bad" }, limits);
    const writer = createOutcomeWriter(db.pool);
    const blocker = writer.insert(outcome(alice, p.id)); // runs alone; the next ones wait and batch
    const settled = await Promise.allSettled([
      writer.insert(outcome(alice, p.id)),
      writer.insert(outcome(alice, p.id, { taskDescription: "" })), // breaks a CHECK constraint
      writer.insert(outcome(alice, p.id)),
    ]);
    await blocker;
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await counters(p.id)).toEqual({ outcome_count: 3, pending_outcomes: 3, stored: 3 });
  });

  test("a batch whose outcome is unknown (connection lost after the statement) is not written again", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "lost answer" }, limits);
    // After the first statement, each runs and commits, then its answer is lost with the connection.
    let statements = 0;
    const flaky = new Proxy(db.pool, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== "any") return value;
        return async (...args: unknown[]) => {
          const answer = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (statements++ === 0) return answer;
          throw new BackendTerminatedUnexpectedlyError(new Error("Connection terminated unexpectedly"));
        };
      },
    });
    const writer = createOutcomeWriter(flaky);
    const blocker = writer.insert(outcome(alice, p.id)); // alone, answered; the next three batch
    const settled = await Promise.allSettled([1, 2, 3].map(() => writer.insert(outcome(alice, p.id))));
    await blocker;
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(await counters(p.id)).toEqual({ outcome_count: 4, pending_outcomes: 4, stored: 4 });
  });
});

describe("createGroupCommit", () => {
  test("calls arriving while one runs go together next; a lone call runs at once", async () => {
    const runs: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const double = createGroupCommit<number, number>(async (_, items) => {
      runs.push(items);
      if (runs.length === 1) await gate;
      return items.map((i) => i * 2);
    });
    const first = double("k", 1);
    const rest = [2, 3, 4].map((i) => double("k", i));
    const other = double("other key", 9); // another key does not wait
    expect(await other).toBe(18);
    release();
    expect(await Promise.all([first, ...rest])).toEqual([2, 4, 6, 8]);
    expect(runs).toEqual([[1], [9], [2, 3, 4]]);
  });

  test("a run that fails, or answers the wrong number of results, rejects its calls only", async () => {
    let mode: "throw" | "short" | "ok" = "throw";
    const run = createGroupCommit<number, number>(async (_, items) => {
      if (mode === "throw") throw new Error("boom");
      return mode === "short" ? items.slice(1) : items;
    });
    await expect(run("k", 1)).rejects.toThrow("boom");
    mode = "short";
    await expect(run("k", 1)).rejects.toThrow("one result per item");
    mode = "ok";
    expect(await run("k", 5)).toBe(5);
  });

  test("maxBatch splits a long queue", async () => {
    const sizes: number[] = [];
    const run = createGroupCommit<number, number>(
      async (_, items) => {
        sizes.push(items.length);
        await Bun.sleep(1);
        return items;
      },
      { maxBatch: 3 },
    );
    await Promise.all(Array.from({ length: 8 }, (_, i) => run("k", i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
