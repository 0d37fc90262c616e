import { describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, newKey, PASSWORD, signUp } from "../support/auth.ts";
import { testNotifications } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";

/** Issue 14: "sign out everywhere" ends every session of the account, in every process, at once. */

const db = useTestDatabase();

const me = (app: TestApp, token: string) => app.fetch("/v1/auth/me", { headers: bearer(token) });
const post = (json: unknown) => ({ method: "POST", json, ip: freshIp() });

describe("POST /v1/auth/logout-all", () => {
  test("ends every session of the user (in another process too) and records it; others' sessions go on", async () => {
    const a = createTestApp(db.pool, {}, { notifications: testNotifications(db.pool) });
    const b = createTestApp(db.pool, {}, { notifications: testNotifications(db.pool) });
    const first = await signUp(a);
    const login = await a.fetch("/v1/auth/login", post({ email: first.user.email, password: PASSWORD }));
    const second = (await login.json()) as { access_token: string; refresh_token: string };
    const stranger = await signUp(a);
    for (const token of [first.access_token, second.access_token]) {
      expect((await me(a, token)).status).toBe(200);
      expect((await me(b, token)).status).toBe(200); // process B caches them as active
    }

    const out = await a.fetch("/v1/auth/logout-all", {
      method: "POST",
      headers: bearer(second.access_token),
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ sessions_ended: 2 });
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");

    for (const token of [first.access_token, second.access_token]) {
      const refused = await me(a, token);
      expect(refused.status).toBe(401);
      expect(
        ((await refused.json()) as { error: { details: { reason: string } } }).error.details.reason,
      ).toBe("session_ended");
    }
    // process B learns it from the NOTIFY sent on commit
    const deadline = Date.now() + 2000;
    let statuses: number[] = [];
    while (Date.now() < deadline) {
      statuses = await Promise.all([me(b, first.access_token), me(b, second.access_token)]).then((r) =>
        r.map((x) => x.status),
      );
      if (statuses.every((s) => s === 401)) break;
      await Bun.sleep(25);
    }
    expect(statuses).toEqual([401, 401]);
    // the refresh tokens are dead too
    const refresh = await a.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }));
    expect(refresh.status).toBe(401);
    expect((await me(a, stranger.access_token)).status).toBe(200);

    const signIn = await a.fetch("/v1/auth/login", post({ email: first.user.email, password: PASSWORD }));
    const again = (await signIn.json()) as { access_token: string };
    const log = await a.fetch("/v1/audit-events?type=signed_out_everywhere", {
      headers: bearer(again.access_token),
    });
    const { items } = (await log.json()) as { items: Array<{ details: Record<string, unknown> }> };
    expect(items).toHaveLength(1);
    expect(items[0]!.details).toEqual({ sessions_ended: 2 });
  });

  test("an API key gets 403 saying a session is needed; no credentials 401", async () => {
    const app = createTestApp(db.pool);
    const user = await signUp(app);
    const key = await newKey(app, user.access_token);
    const refused = await app.fetch("/v1/auth/logout-all", { method: "POST", headers: bearer(key.key) });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(await refused.json())).toContain("signed-in session");
    expect((await me(app, user.access_token)).status).toBe(200);
    expect((await app.fetch("/v1/auth/logout-all", { method: "POST" })).status).toBe(401);
  });
});
