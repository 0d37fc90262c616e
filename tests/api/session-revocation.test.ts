import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { SESSION_ENDED_CHANNEL } from "../../core/auth/queries.ts";
import { hashSecret } from "../../core/auth/tokens.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, signUp } from "../support/auth.ts";
import { testNotifications } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually } from "../support/evolution.ts";
import { MCP_HEADERS } from "../support/mcp.ts";

/**
 * Issue 11, item 3: an access token belongs to its session (the refresh-token family); once the
 * session ends (logout, reuse of a rotated refresh token) its access tokens are refused on the
 * next request, in every process: the revocation NOTIFYs every process's cache on commit.
 */

const db = useTestDatabase();

const me = (app: TestApp, token: string) => app.fetch("/v1/auth/me", { headers: bearer(token) });
const mcpList = (app: TestApp, token: string) =>
  app.fetch("/mcp", {
    method: "POST",
    headers: { ...MCP_HEADERS, ...bearer(token) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
const post = (json: unknown) => ({ method: "POST", json, ip: freshIp() });

async function expectEnded(response: Response) {
  expect(response.status).toBe(401);
  const { error } = await response.json();
  expect(error.details.reason).toBe("session_ended");
  expect(error.message).toContain("Sign in again");
}

describe("one process", () => {
  test("logout ends the session's access token at once, on REST and MCP; other sessions go on", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const second = await app.fetch("/v1/auth/login", post({ email: first.user.email, password: PASSWORD }));
    const other = (await second.json()) as { access_token: string };
    expect((await me(app, first.access_token)).status).toBe(200);
    expect((await mcpList(app, first.access_token)).status).toBe(200);

    const out = await app.fetch("/v1/auth/logout", post({ refresh_token: first.refresh_token }));
    expect(out.status).toBe(204);
    await expectEnded(await me(app, first.access_token));
    expect((await mcpList(app, first.access_token)).status).toBe(401);
    expect((await me(app, other.access_token)).status).toBe(200);
  });

  test("refresh-token reuse closes the session: every access token of the family is refused", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const rotated = await app.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }));
    const second = (await rotated.json()) as { access_token: string };
    expect((await me(app, second.access_token)).status).toBe(200);
    // the copy is replayed after the grace window: theft
    await db.pool.query(sql.unsafe`
      update refresh_tokens set used_at = used_at - interval '1 minute'
      where token_hash = ${hashSecret(first.refresh_token)}`);
    const replay = await app.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }));
    expect(replay.status).toBe(401);
    await expectEnded(await me(app, first.access_token));
    await expectEnded(await me(app, second.access_token));
  });
});

describe("several processes on one database", () => {
  test("a logout in one process ends the session in another within a second", async () => {
    const notificationsB = testNotifications(db.pool);
    const a = createTestApp(db.pool, {}, { notifications: testNotifications(db.pool) });
    const b = createTestApp(db.pool, {}, { notifications: notificationsB });
    const session = await signUp(a);
    expect((await me(b, session.access_token)).status).toBe(200);
    // B listens now (its first token check subscribed); from here on it answers from its cache
    const watch = notificationsB.subscribe(SESSION_ENDED_CHANNEL, () => {});
    await eventually(async () => watch.live);
    expect((await me(b, session.access_token)).status).toBe(200);
    expect((await me(b, session.access_token)).status).toBe(200);

    expect((await a.fetch("/v1/auth/logout", post({ refresh_token: session.refresh_token }))).status).toBe(
      204,
    );
    const refused = await eventually(async () => {
      const response = await me(b, session.access_token);
      return response.status === 401 && response;
    }, 1_000);
    await expectEnded(refused);
    expect((await mcpList(b, session.access_token)).status).toBe(401);
  });
});
