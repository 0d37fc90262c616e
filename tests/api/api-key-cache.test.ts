import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { API_KEY_CHANGED_CHANNEL } from "../../core/auth/queries-api-keys.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { createTestDeps, testNotifications } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually } from "../support/evolution.ts";
import { MCP_HEADERS } from "../support/mcp.ts";

/**
 * Issue 13: verified API keys are cached per process, and still revoked, expired, narrowed and
 * deleted keys fail at once in every process (the change NOTIFYs every cache on commit).
 */

const db = useTestDatabase();

const me = (app: TestApp, key: string) => app.fetch("/v1/auth/me", { headers: { "x-api-key": key } });
const mcpList = (app: TestApp, key: string) =>
  app.fetch("/mcp", {
    method: "POST",
    headers: { ...MCP_HEADERS, authorization: `Bearer ${key}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });

/** Two apps, each its own "process" (own LISTEN connection), both listening for key changes. */
async function twoProcesses() {
  const notificationsB = testNotifications(db.pool);
  const a = createTestApp(db.pool, {}, { notifications: testNotifications(db.pool) });
  const b = createTestApp(db.pool, {}, { notifications: notificationsB });
  const session = await signUp(a);
  const { key, id } = await newKey(a, session.access_token);
  expect((await me(b, key)).status).toBe(200); // B subscribes on its first key check
  const watch = notificationsB.subscribe(API_KEY_CHANGED_CHANNEL, () => {});
  await eventually(async () => watch.live);
  expect((await me(b, key)).status).toBe(200); // now from B's cache
  return { a, b, session, key, id };
}

const refusedIn = (app: TestApp, key: string) =>
  eventually(async () => (await me(app, key)).status === 401, 2_000);

describe("API key cache", () => {
  test("a key revoked in one process is refused in another, on REST and MCP", async () => {
    const { a, b, session, key, id } = await twoProcesses();
    const revoked = await a.fetch(`/v1/auth/api-keys/${id}`, {
      method: "DELETE",
      headers: bearer(session.access_token),
    });
    expect(revoked.status).toBeLessThan(300);
    expect((await me(a, key)).status).toBe(401); // the revoking process: at once
    expect(await refusedIn(b, key)).toBe(true);
    expect((await mcpList(b, key)).status).toBe(401);
  });

  test("expiry is checked against the clock on every hit, even when cached", async () => {
    const deps = createTestDeps(db.pool, { notifications: testNotifications(db.pool) });
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "short", expires_in_days: 1 });
    const resolve = (now: Date) => deps.core.auth.resolveCaller({ apiKey: key }, { now });
    await resolve(new Date()); // subscribes
    await eventually(async () => {
      await resolve(new Date());
      return true;
    });
    expect((await resolve(new Date())).userId).toBe(session.user.id); // cached
    await expect(resolve(new Date(Date.now() + 2 * 86_400_000))).rejects.toMatchObject({
      code: "unauthenticated",
    });
  });

  test("an expiry changed by SQL reaches every process", async () => {
    const { b, key, id } = await twoProcesses();
    await db.pool.query(
      sql.unsafe`update api_keys set expires_at = now() - interval '1 second' where id = ${id}`,
    );
    expect(await refusedIn(b, key)).toBe(true);
  });

  test("a user deleted by SQL loses every key in every process", async () => {
    const { b, session, key } = await twoProcesses();
    await db.pool.query(sql.unsafe`delete from users where id = ${session.user.id}`);
    expect(await refusedIn(b, key)).toBe(true);
  });

  test("narrowed scopes apply at once: a read-only key cannot write", async () => {
    const { b, key, id } = await twoProcesses();
    await db.pool.query(sql.unsafe`update api_keys set scopes = '["read"]'::jsonb where id = ${id}`);
    const narrowed = await eventually(async () => {
      const body = (await (await me(b, key)).json()) as { auth: { scopes: string[] } };
      return body.auth.scopes.join() === "read";
    }, 2_000);
    expect(narrowed).toBe(true);
    const write = await b.fetch("/v1/playbooks", {
      method: "POST",
      headers: { "x-api-key": key },
      json: { name: "No" },
    });
    expect(write.status).toBe(403);
  });

  test("last_used_at is written at most once a minute however many requests use the key", async () => {
    const { b, key, id } = await twoProcesses();
    const lastUsed = () =>
      db.pool.oneFirst(sql.type(z.object({ t: z.date().nullable() }))`
        select last_used_at as t from api_keys where id = ${id}`);
    const first = await eventually(async () => (await lastUsed()) ?? false, 1_000);
    for (let i = 0; i < 20; i++) expect((await me(b, key)).status).toBe(200);
    await Bun.sleep(50);
    expect((await lastUsed())?.getTime()).toBe((first as Date).getTime());
  });
});
