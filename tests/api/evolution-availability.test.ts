import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { seedStarters } from "../../core/playbooks/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { LLM_CONFIGURED } from "../support/config.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";

/**
 * Issue 14: the dashboard disables "Evolve now" with the reason. The availability answers with
 * the trigger's own checks (one function), and asking spends nothing.
 */

const db = useTestDatabase();

async function setUp(env: Record<string, string> = LLM_CONFIGURED) {
  const app = createTestApp(db.pool, { EVOLUTION_OUTCOME_THRESHOLD: "50", ...env });
  const session = await signUp(app);
  const headers = bearer(session.access_token);
  const created = await app.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "p", content: SAMPLE_PLAYBOOK },
    headers,
  });
  const id = ((await created.json()) as { id: string }).id;
  return { app, headers, id, token: session.access_token };
}

const availability = async (app: TestApp, id: string, headers: Record<string, string>) => {
  const response = await app.fetch(`/v1/playbooks/${id}/evolutions/availability`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const trigger = (app: TestApp, id: string, headers: Record<string, string>) =>
  app.fetch(`/v1/playbooks/${id}/evolutions`, { method: "POST", headers });
const report = (app: TestApp, id: string, headers: Record<string, string>) =>
  app.fetch(`/v1/playbooks/${id}/outcomes`, {
    method: "POST",
    json: { task_description: "t", outcome: "success" },
    headers,
  });
/** Finishes the active job as the worker would, leaving the outcomes processed. */
const finishJobs = (id: string) =>
  db.pool.query(sql.unsafe`
    with done as (
      update evolution_jobs set status = 'completed', completed_at = now()
      where playbook_id = ${id} and status in ('queued', 'running') returning id)
    update outcomes set processed_at = now() where playbook_id = ${id} and processed_at is null`);

describe("GET /v1/playbooks/{id}/evolutions/availability", () => {
  test("nothing pending → available → already running, agreeing with the trigger at each step", async () => {
    const { app, headers, id } = await setUp();
    expect(await availability(app, id, headers)).toEqual({
      status: 200,
      body: {
        available: false,
        reason: "nothing_pending",
        message: expect.stringContaining("no unprocessed outcomes"),
        available_at: null,
      },
    });
    expect((await trigger(app, id, headers)).status).toBe(409);
    await report(app, id, headers);
    expect((await availability(app, id, headers)).body).toEqual({
      available: true,
      reason: null,
      message: null,
      available_at: null,
    });
    expect((await trigger(app, id, headers)).status).toBe(202);
    expect((await availability(app, id, headers)).body).toMatchObject({
      available: false,
      reason: "already_running",
      message: expect.stringContaining("already queued"),
    });
  });

  test("rate limited, with the time it frees up; asking never spends a trigger", async () => {
    const { app, headers, id } = await setUp({ ...LLM_CONFIGURED, RATE_LIMIT_EVOLUTIONS_PER_HOUR: "2" });
    for (let i = 0; i < 2; i++) {
      await report(app, id, headers);
      for (let j = 0; j < 5; j++) expect((await availability(app, id, headers)).body.available).toBe(true);
      expect((await trigger(app, id, headers)).status).toBe(202);
      await finishJobs(id);
    }
    await report(app, id, headers);
    const before = Date.now();
    const { body } = await availability(app, id, headers);
    expect(body).toMatchObject({ available: false, reason: "rate_limited" });
    expect(body.message).toContain("limit is 2");
    const at = Date.parse(String(body.available_at));
    expect(at).toBeGreaterThan(before + 50 * 60_000);
    expect(at).toBeLessThanOrEqual(before + 61 * 60_000);
    const refused = await trigger(app, id, headers);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Math.abs(before + retryAfter * 1000 - at)).toBeLessThan(5_000);
  });

  test("archived, and a server without an LLM provider (the trigger then says 503)", async () => {
    const { app, headers, id } = await setUp();
    await report(app, id, headers);
    expect((await app.fetch(`/v1/playbooks/${id}`, { method: "DELETE", headers })).status).toBeLessThan(300);
    expect((await availability(app, id, headers)).body).toMatchObject({
      available: false,
      reason: "archived",
    });
    expect((await trigger(app, id, headers)).status).toBe(409);

    const bare = await setUp({});
    await report(bare.app, bare.id, bare.headers);
    expect((await availability(bare.app, bare.id, bare.headers)).body).toMatchObject({
      available: false,
      reason: "llm_not_configured",
      message: expect.stringContaining("OPENAI_API_KEY"),
    });
    const refused = await trigger(bare.app, bare.id, bare.headers);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      "llm_not_configured",
    );
  });

  test("another user's playbook is 404, a starter 403, a key with read may ask", async () => {
    const { app, headers, id, token } = await setUp();
    const other = bearer((await signUp(app)).access_token);
    expect((await availability(app, id, other)).status).toBe(404);
    expect((await availability(app, "not-a-uuid", headers)).status).toBe(404);
    await seedStarters(db.pool);
    const starters = await app.fetch("/v1/playbooks?include_starters=true", { headers });
    const starter = (
      (await starters.json()) as { items: Array<{ id: string; is_starter: boolean }> }
    ).items.find((p) => p.is_starter);
    expect((await availability(app, starter!.id, headers)).status).toBe(403);
    const key = await newKey(app, token, { name: "r", scopes: ["read"] });
    expect((await availability(app, id, bearer(key.key))).status).toBe(200);
    expect((await app.fetch(`/v1/playbooks/${id}/evolutions/availability`)).status).toBe(401);
  });
});
