import { beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { LOCKOUT } from "../../core/auth/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, newKey, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();
let app: TestApp;

beforeAll(() => {
  app = createTestApp(db.pool);
});

type Event = {
  type: string;
  ip_address: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: string;
};
type EventPage = { items: Event[]; total: number; next_offset: number | null };

const UA = "audit-test-browser/1.0";

const login = (email: string, password: string, ip = freshIp()) =>
  app.fetch("/v1/auth/login", {
    method: "POST",
    json: { email, password },
    ip,
    headers: { "user-agent": UA },
  });

const events = async (accessToken: string, query = "") => {
  const response = await app.fetch(`/v1/audit-events${query}`, { headers: bearer(accessToken) });
  expect(response.status).toBe(200);
  return (await response.json()) as EventPage;
};

const rowCount = () =>
  db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from audit_events`);

describe("the security events of an account", () => {
  let session: Awaited<ReturnType<typeof signUp>>;
  let page: EventPage;
  let body = "";
  let keySecret = "";
  let refreshToken = "";
  let readerToken = "";

  beforeAll(async () => {
    session = await signUp(app);
    const { email } = session.user;
    // One failed sign-in, then enough more to lock the account (5 are free, the 6th locks it).
    for (let i = 0; i < LOCKOUT.freeFailures + 1; i++)
      expect((await login(email, "wrong password!")).status).toBe(401);
    // The lock is lifted for this test by clearing the failures (a success would do it after the lock).
    await db.pool.query(sql.unsafe`delete from login_failures`);
    const signedIn = await login(email, PASSWORD, "203.0.113.7");
    expect(signedIn.status).toBe(200);
    refreshToken = ((await signedIn.json()) as { refresh_token: string }).refresh_token;
    const auth = { ...bearer(session.access_token), "user-agent": UA };
    const key = await newKey(app, session.access_token, { name: "ci agent" });
    keySecret = key.key;
    const renamed = await app.fetch(`/v1/auth/api-keys/${key.id}`, {
      method: "PATCH",
      headers: auth,
      json: { name: "deploy agent" },
    });
    expect(renamed.status).toBe(200);
    expect((await app.fetch(`/v1/auth/api-keys/${key.id}`, { method: "DELETE", headers: auth })).status).toBe(
      204,
    );
    const out = await app.fetch("/v1/auth/logout", {
      method: "POST",
      json: { refresh_token: refreshToken },
      headers: { "user-agent": UA },
      ip: "198.51.100.4",
    });
    expect(out.status).toBe(204);
    // Last (its clock a minute ahead): a refresh token used twice, past the grace window for
    // racing tabs, is a stolen copy.
    const rotated = await app.deps.core.auth.refresh(session.refresh_token);
    await app.deps.core.auth
      .refresh(session.refresh_token, { now: new Date(Date.now() + 60_000) })
      .catch(() => {});
    expect(rotated.refresh_token).toBeString();
    // Reuse detection ended the sign-up session too (its access token is refused from now on),
    // so the log is read from a new sign-in, whose own event (the newest sign-in) is set aside.
    const reader = (await (await login(email, PASSWORD)).json()) as { access_token: string };
    readerToken = reader.access_token;
    const all = await events(readerToken);
    const own = all.items.findIndex((e) => e.type === "signed_in");
    page = { ...all, items: all.items.toSpliced(own, 1), total: all.total - 1 };
    body = JSON.stringify(page);
  });

  test("every event is listed, newest first", () => {
    expect(page.items.map((e) => e.type)).toEqual([
      "refresh_token_reuse_detected",
      "signed_out",
      "api_key_revoked",
      "api_key_renamed",
      "api_key_created",
      "signed_in",
      "account_locked",
      ...Array(LOCKOUT.freeFailures + 1).fill("sign_in_failed"),
    ]);
    expect(page.total).toBe(page.items.length);
    const times = page.items.map((e) => Date.parse(e.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test("each says from where: IP address and user agent", () => {
    const byType = (type: string) => page.items.find((e) => e.type === type)!;
    expect(byType("signed_in")).toMatchObject({ ip_address: "203.0.113.7", user_agent: UA });
    expect(byType("signed_out")).toMatchObject({ ip_address: "198.51.100.4", user_agent: UA });
    expect(byType("api_key_renamed").user_agent).toBe(UA);
    expect(byType("sign_in_failed").ip_address).toStartWith("10.0.");
  });

  test("details name the key and the lock, never a secret", () => {
    const byType = (type: string) => page.items.find((e) => e.type === type)!;
    expect(byType("api_key_created").details).toMatchObject({ name: "ci agent", scopes: ["read", "write"] });
    expect(byType("api_key_renamed").details).toMatchObject({
      name: "deploy agent",
      previous_name: "ci agent",
    });
    expect(byType("api_key_revoked").details.prefix).toBe(
      keySecret.slice(0, String(byType("api_key_revoked").details.prefix).length),
    );
    expect(byType("account_locked").details.locked_seconds).toBe(LOCKOUT.baseSeconds);
    for (const secret of [keySecret, PASSWORD, "wrong password!", session.refresh_token, refreshToken]) {
      expect(body).not.toContain(secret);
    }
  });

  test("pages and a type filter", async () => {
    // The reader's own sign-in is listed now (the reuse detection is dated a minute ahead).
    const first = await events(readerToken, "?limit=2");
    expect(first.items.map((e) => e.type)).toEqual(["refresh_token_reuse_detected", "signed_in"]);
    expect(first.next_offset).toBe(2);
    const second = await events(readerToken, "?limit=2&offset=2");
    expect(second.items.map((e) => e.type)).toEqual(["signed_out", "api_key_revoked"]);
    const failures = await events(readerToken, "?type=sign_in_failed");
    expect(failures.total).toBe(LOCKOUT.freeFailures + 1);
    const bad = await app.fetch("/v1/audit-events?type=password_changed", {
      headers: bearer(readerToken),
    });
    expect(bad.status).toBe(422);
  });
});

describe("what is not recorded", () => {
  test("a failed sign-in for an email with no account belongs to no one: no event", async () => {
    const before = await rowCount();
    expect((await login(`nobody-${crypto.randomUUID()}@example.com`, "whatever password")).status).toBe(401);
    expect(await rowCount()).toBe(before);
  });

  test("a refused change records nothing (the event and its record share one transaction)", async () => {
    const { access_token } = await signUp(app);
    const before = await rowCount();
    const missing = await app.fetch(`/v1/auth/api-keys/${crypto.randomUUID()}`, {
      method: "DELETE",
      headers: bearer(access_token),
    });
    expect(missing.status).toBe(404);
    expect(await rowCount()).toBe(before);
  });
});

describe("GET /v1/audit-events: who may read", () => {
  test("another user's events are invisible", async () => {
    const alice = await signUp(app);
    const bob = await signUp(app);
    await newKey(app, alice.access_token, { name: "alice key" });
    const seenByBob = await events(bob.access_token);
    expect(seenByBob.items).toEqual([]);
    expect(seenByBob.total).toBe(0);
    expect((await events(alice.access_token)).items.map((e) => e.type)).toEqual(["api_key_created"]);
  });

  test("an API key cannot read the security log (403), no credentials is 401", async () => {
    const user = await signUp(app);
    const key = await newKey(app, user.access_token, { name: "reader", scopes: ["read"] });
    const withKey = await app.fetch("/v1/audit-events", { headers: { "x-api-key": key.key } });
    expect(withKey.status).toBe(403);
    expect((await app.fetch("/v1/audit-events")).status).toBe(401);
  });
});
