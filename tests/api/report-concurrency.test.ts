import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { seedStarters } from "../../core/playbooks/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";

/**
 * Issue 13: the report path takes the playbook row lock last and keeps pending counts on the
 * playbook row; under concurrency it still queues exactly one evolution at the threshold, never
 * lets a rate limit overshoot, and counts an idempotent retry once.
 */

const db = useTestDatabase();
const THRESHOLD = 50;
let app: TestApp;

beforeAll(async () => {
  await seedStarters(db.pool);
  app = createTestApp(db.pool, {
    EVOLUTION_OUTCOME_THRESHOLD: String(THRESHOLD),
    RATE_LIMIT_ENABLED: "true",
    RATE_LIMIT_OUTCOMES_PER_HOUR: "1000",
  });
});

async function userWithPlaybook(target = app) {
  const headers = bearer((await signUp(target)).access_token);
  const created = await target.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "p", content: SAMPLE_PLAYBOOK },
    headers,
  });
  return { headers, id: (await created.json()).id as string };
}

const report = (target: TestApp, id: string, headers: Record<string, string>, n: number, extra = {}) =>
  target.fetch(`/v1/playbooks/${id}/outcomes`, {
    method: "POST",
    json: { task_description: `task ${n}`, outcome: "success", ...extra },
    headers,
  });

const Counts = z.object({
  total: z.number(),
  pending: z.number(),
  outcome_count: z.number(),
  pending_outcomes: z.number(),
});
const counts = (id: string) =>
  db.pool.one(sql.type(Counts)`
    select (select count(*) from outcomes where playbook_id = p.id)::int as total,
      (select count(*) from outcomes where playbook_id = p.id and processed_at is null)::int as pending,
      p.outcome_count, p.pending_outcomes
    from playbooks p where p.id = ${id}`);
const jobs = (id: string) =>
  db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from evolution_jobs where playbook_id = ${id}`);

describe("reports under concurrency", () => {
  test("50 concurrent reports at the threshold queue exactly one evolution; counters stay exact", async () => {
    const { headers, id } = await userWithPlaybook();
    const responses = await Promise.all(
      Array.from({ length: THRESHOLD }, (_, n) => report(app, id, headers, n)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(THRESHOLD).fill(201));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      pending_outcomes: number;
      queued_evolution_id: string | null;
    }[];
    // each report saw its own count: 1..50, once each
    expect(bodies.map((b) => b.pending_outcomes).sort((a, b) => a - b)).toEqual(
      Array.from({ length: THRESHOLD }, (_, n) => n + 1),
    );
    expect(bodies.filter((b) => b.queued_evolution_id !== null)).toHaveLength(1);
    expect(await jobs(id)).toBe(1);
    expect(await counts(id)).toEqual({ total: 50, pending: 50, outcome_count: 50, pending_outcomes: 50 });
    // one more report past the threshold queues nothing new: one is active
    const after = (await (await report(app, id, headers, 99)).json()) as {
      queued_evolution_id: string | null;
    };
    expect(after.queued_evolution_id).toBeNull();
    expect(await jobs(id)).toBe(1);
  });

  test("a rate limit never overshoots under concurrent reports, and refused ones are not stored", async () => {
    const limited = createTestApp(db.pool, { RATE_LIMIT_ENABLED: "true", RATE_LIMIT_OUTCOMES_PER_HOUR: "7" });
    const { headers, id } = await userWithPlaybook(limited);
    const statuses = (
      await Promise.all(Array.from({ length: 30 }, (_, n) => report(limited, id, headers, n)))
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(23);
    expect(await counts(id)).toEqual({ total: 7, pending: 7, outcome_count: 7, pending_outcomes: 7 });
  });

  test("refused reports and retries give their rate-limit token back", async () => {
    const limited = createTestApp(db.pool, { RATE_LIMIT_ENABLED: "true", RATE_LIMIT_OUTCOMES_PER_HOUR: "2" });
    const { headers, id } = await userWithPlaybook(limited);
    const other = await userWithPlaybook(limited);
    for (let n = 0; n < 3; n++) expect((await report(limited, other.id, headers, n)).status).toBe(404);
    const keyed = { ...headers, "idempotency-key": "once" };
    // (retries arriving at the same instant as the first may each hold a token for a moment)
    for (const n of [1, 2, 3]) expect((await report(limited, id, keyed, n)).status).toBeLessThan(300);
    expect((await report(limited, id, headers, 4)).status).toBe(201); // the second token
    expect((await report(limited, id, headers, 5)).status).toBe(429);
    expect(await counts(id)).toEqual({ total: 2, pending: 2, outcome_count: 2, pending_outcomes: 2 });
  });

  test("concurrent retries with one idempotency key count once and answer the same outcome", async () => {
    const { headers, id } = await userWithPlaybook();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, n) => report(app, id, { ...headers, "idempotency-key": "retry-1" }, n)),
    );
    expect(responses.every((r) => r.status < 300)).toBe(true);
    const ids = new Set(
      (await Promise.all(responses.map((r) => r.json()))).map(
        (b) => (b as { outcome_id: string }).outcome_id,
      ),
    );
    expect(ids.size).toBe(1);
    expect(await counts(id)).toEqual({ total: 1, pending: 1, outcome_count: 1, pending_outcomes: 1 });
    const retry = await report(app, id, { ...headers, "idempotency-key": "retry-1" }, 0);
    expect((await retry.json()).outcome_id).toBe([...ids][0]);
  });

  test("refusals keep their meaning: another user's playbook 404, a starter 403, an archived one 409", async () => {
    const { headers, id } = await userWithPlaybook();
    const other = await userWithPlaybook();
    expect((await report(app, other.id, headers, 1)).status).toBe(404);
    expect((await report(app, other.id, { ...headers, "idempotency-key": "k" }, 1)).status).toBe(404);
    const starters = (await (await app.fetch("/v1/playbooks?include_starters=true", { headers })).json()) as {
      items: { id: string; is_starter: boolean }[];
    };
    const starter = starters.items.find((p) => p.is_starter)!;
    expect((await report(app, starter.id, headers, 1)).status).toBe(403);
    await app.fetch(`/v1/playbooks/${id}`, { method: "DELETE", headers });
    expect((await report(app, id, headers, 1)).status).toBe(409);
    expect(await counts(id)).toEqual({ total: 0, pending: 0, outcome_count: 0, pending_outcomes: 0 });
  });

  test("concurrent reports to the playbook's id in capitals are stored once each, never twice", async () => {
    // Postgres answers the id in lower case; a batch keyed by the client's spelling must still
    // find its rows (a failure after the batch committed would write every report again).
    const { headers, id } = await userWithPlaybook();
    const upper = id.toUpperCase();
    const responses = await Promise.all(Array.from({ length: 20 }, (_, n) => report(app, upper, headers, n)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await counts(id)).toEqual({ total: 20, pending: 20, outcome_count: 20, pending_outcomes: 20 });
  });
});
