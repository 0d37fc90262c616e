import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { UsageSummary } from "../../core/usage/index.ts";
import { createTestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

/** Issue 14: `GET /v1/usage`, the dashboard's Usage page (totals, a gap-free series, breakdowns). */

const db = useTestDatabase();

async function playbook(userId: string, name: string) {
  return db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into playbooks (user_id, name) values (${userId}, ${name}) returning id`);
}

async function usage(
  userId: string,
  playbookId: string | null,
  at: string,
  row: { model?: string; prompt: number; completion: number; cost: string },
) {
  await db.pool.query(sql.unsafe`
    insert into usage_records (user_id, playbook_id, operation, model, prompt_tokens, completion_tokens,
      total_tokens, cost_usd, created_at)
    values (${userId}, ${playbookId}, 'reflect', ${row.model ?? "gpt-4o-mini"}, ${row.prompt}, ${row.completion},
      ${row.prompt + row.completion}, ${row.cost}, ${at}::timestamptz)`);
}

async function evolution(userId: string, playbookId: string, completedAt: string, status = "completed") {
  await db.pool.query(sql.unsafe`
    insert into evolution_jobs (playbook_id, user_id, status, trigger, completed_at)
    values (${playbookId}, ${userId}, ${status}::evolution_status, 'manual', ${completedAt}::timestamptz)`);
}

async function seeded() {
  const app = createTestApp(db.pool);
  const a = await signUp(app);
  const b = await signUp(app);
  const pa = await playbook(a.user.id, "Alpha");
  const pz = await playbook(a.user.id, "Zeta");
  const pb = await playbook(b.user.id, "B's secret");
  await usage(a.user.id, pa, "2026-03-01T10:00:00Z", { prompt: 100, completion: 20, cost: "0.010000" });
  await usage(a.user.id, pa, "2026-03-01T23:59:59Z", { prompt: 50, completion: 10, cost: "0.005000" });
  await usage(a.user.id, pz, "2026-03-03T00:00:00Z", {
    model: "claude-haiku",
    prompt: 1000,
    completion: 200,
    cost: "0.120000",
  });
  await usage(a.user.id, pa, "2026-02-28T23:59:59Z", { prompt: 7, completion: 7, cost: "0.700000" }); // before
  await usage(a.user.id, pa, "2026-03-04T00:00:00Z", { prompt: 9, completion: 9, cost: "0.900000" }); // after
  await usage(b.user.id, pb, "2026-03-02T12:00:00Z", { prompt: 5000, completion: 5000, cost: "9.000000" });
  await evolution(a.user.id, pa, "2026-03-01T11:00:00Z");
  await evolution(a.user.id, pz, "2026-03-03T11:00:00Z", "failed");
  await evolution(b.user.id, pb, "2026-03-02T11:00:00Z");
  return { app, a, b, pa, pz };
}

const get = async (app: ReturnType<typeof createTestApp>, token: string, query: string) => {
  const response = await app.fetch(`/v1/usage${query}`, { headers: bearer(token) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("GET /v1/usage", () => {
  test("totals, a daily series with empty days as zeros, by playbook and by model: the caller's only", async () => {
    const { app, a, pa, pz } = await seeded();
    const { status, body } = await get(app, a.access_token, "?from=2026-03-01&to=2026-03-03");
    expect(status).toBe(200);
    const summary = UsageSummary.parse(body);
    expect(summary.totals).toEqual({
      prompt_tokens: 1150,
      completion_tokens: 230,
      total_tokens: 1380,
      cost_usd: "0.135000",
      llm_calls: 3,
      evolutions: 2,
    });
    expect(
      summary.series.map((p) => [p.period_start, p.total_tokens, p.cost_usd, p.llm_calls, p.evolutions]),
    ).toEqual([
      ["2026-03-01", 180, "0.015000", 2, 1],
      ["2026-03-02", 0, "0.000000", 0, 0],
      ["2026-03-03", 1200, "0.120000", 1, 1],
    ]);
    expect(summary.by_playbook).toEqual([
      { playbook_id: pz, name: "Zeta", total_tokens: 1200, cost_usd: "0.120000", evolutions: 1 },
      { playbook_id: pa, name: "Alpha", total_tokens: 180, cost_usd: "0.015000", evolutions: 1 },
    ]);
    expect(summary.by_model).toEqual([
      { model: "claude-haiku", total_tokens: 1200, cost_usd: "0.120000", llm_calls: 1 },
      { model: "gpt-4o-mini", total_tokens: 180, cost_usd: "0.015000", llm_calls: 2 },
    ]);
    expect(JSON.stringify(body)).not.toContain("secret");
  });

  test("by week (ISO, from Monday) and by month, every period present", async () => {
    const { app, a } = await seeded();
    const weeks = UsageSummary.parse(
      (await get(app, a.access_token, "?from=2026-02-20&to=2026-03-20&granularity=week")).body,
    );
    expect(weeks.series.map((p) => p.period_start)).toEqual([
      "2026-02-16",
      "2026-02-23",
      "2026-03-02",
      "2026-03-09",
      "2026-03-16",
    ]);
    // 2026-03-01 is a Sunday: it belongs to the week of 2026-02-23
    expect(weeks.series.map((p) => p.total_tokens)).toEqual([0, 194, 1218, 0, 0]);
    const months = UsageSummary.parse(
      (await get(app, a.access_token, "?from=2026-01-15&to=2026-04-15&granularity=month")).body,
    );
    expect(months.series.map((p) => [p.period_start, p.total_tokens])).toEqual([
      ["2026-01-01", 0],
      ["2026-02-01", 14],
      ["2026-03-01", 1398],
      ["2026-04-01", 0],
    ]);
    expect(months.totals.total_tokens).toBe(1412);
  });

  test("defaults to the last 30 days by day; an API key with read scope may read it", async () => {
    const app = createTestApp(db.pool);
    const a = await signUp(app);
    const key = await newKey(app, a.access_token, { name: "reader", scopes: ["read"] });
    const { status, body } = await get(app, key.key, "");
    expect(status).toBe(200);
    const summary = UsageSummary.parse(body);
    expect(summary.granularity).toBe("day");
    expect(summary.series).toHaveLength(30);
    expect(summary.to).toBe(new Date().toISOString().slice(0, 10));
    expect(summary.series.at(-1)!.period_start).toBe(summary.to);
    expect(summary.totals).toMatchObject({ total_tokens: 0, cost_usd: "0.000000", evolutions: 0 });
    expect(summary.by_playbook).toEqual([]);
  });

  test("bad ranges are 422s that say what to fix; no credentials is 401; a key without read is 403", async () => {
    const app = createTestApp(db.pool);
    const a = await signUp(app);
    const tooLong = await get(app, a.access_token, "?from=2025-01-01&to=2026-03-01");
    expect(tooLong.status).toBe(422);
    expect(JSON.stringify(tooLong.body)).toContain("at most 366 days");
    const reversed = await get(app, a.access_token, "?from=2026-03-02&to=2026-03-01");
    expect(reversed.status).toBe(422);
    expect(JSON.stringify(reversed.body)).toContain("after to");
    for (const query of ["?from=yesterday", "?to=2026-02-30", "?granularity=hour"]) {
      expect((await get(app, a.access_token, query)).status).toBe(422);
    }
    expect((await app.fetch("/v1/usage")).status).toBe(401);
    const writer = await newKey(app, a.access_token, { name: "w", scopes: ["write"] });
    expect((await get(app, writer.key, "")).status).toBe(403);
  });
});
