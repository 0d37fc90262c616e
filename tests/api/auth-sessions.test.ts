import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { signAccessToken } from "../../core/auth/index.ts";
import { hashSecret } from "../../core/auth/tokens.ts";
import { createTestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, sessionIdOf, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

/** Moves a refresh token's use into the past, as if its copy were replayed later. */
const usedSecondsAgo = (token: string, seconds: number) =>
  db.pool.query(sql.unsafe`
    update refresh_tokens set used_at = used_at - make_interval(secs => ${seconds})
    where token_hash = ${hashSecret(token)}`);
const post = (json: unknown) => ({ method: "POST", json, ip: freshIp() });

describe("POST /v1/auth/register", () => {
  test("creates the account lower-cased and returns a session with the refresh cookie", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch(
      "/v1/auth/register",
      post({ email: "  Ada@Example.COM ", password: PASSWORD }),
    );
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body.user.email).toBe("ada@example.com");
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(30 * 60);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`ace_refresh=${body.refresh_token}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
  });

  test("a bad email is 422 naming the field", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch(
      "/v1/auth/register",
      post({ email: "not-an-email", password: PASSWORD }),
    );
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("email: must be an email address");
  });

  test("a weak password is 422 with the policy in the message", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch(
      "/v1/auth/register",
      post({ email: "weak@example.com", password: "short" }),
    );
    expect(response.status).toBe(422);
    expect((await response.json()).error.message).toContain("password: must be at least 10 characters");
  });

  test("a duplicate email (any case) is 409", async () => {
    const app = createTestApp(db.pool);
    await signUp(app, "dup@example.com");
    const response = await app.fetch(
      "/v1/auth/register",
      post({ email: "DUP@example.com", password: PASSWORD }),
    );
    expect(response.status).toBe(409);
    expect((await response.json()).error.code).toBe("conflict");
  });

  test("malformed JSON is 400 and an oversized body is 413", async () => {
    const app = createTestApp(db.pool, { REQUEST_BODY_MAX_BYTES: "4096" });
    const bad = await app.fetch("/v1/auth/register", {
      method: "POST",
      body: '{"email": ',
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_input");
    const big = JSON.stringify({ email: "big@example.com", password: "x".repeat(5000) });
    const huge = await app.fetch("/v1/auth/register", {
      method: "POST",
      body: big,
      headers: { "content-type": "application/json", "content-length": String(big.length) },
    });
    expect(huge.status).toBe(413);
  });
});

describe("POST /v1/auth/login", () => {
  test("the right password signs in; the wrong one and an unknown email get the same 401", async () => {
    const app = createTestApp(db.pool);
    await signUp(app, "login@example.com");
    const ok = await app.fetch("/v1/auth/login", post({ email: "LOGIN@example.com", password: PASSWORD }));
    expect(ok.status).toBe(200);
    expect((await ok.json()).user.email).toBe("login@example.com");
    const wrong = await app.fetch(
      "/v1/auth/login",
      post({ email: "login@example.com", password: "wrong password!" }),
    );
    const unknown = await app.fetch(
      "/v1/auth/login",
      post({ email: "nobody@example.com", password: "wrong password!" }),
    );
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()).error.message).toBe((await unknown.json()).error.message);
  });
});

describe("GET /v1/auth/me", () => {
  test("answers with the account for a valid access token", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const response = await app.fetch("/v1/auth/me", { headers: bearer(session.access_token) });
    expect(response.status).toBe(200);
    const me = await response.json();
    expect(me).toMatchObject({
      id: session.user.id,
      auth: { via: "jwt", scopes: ["read", "write", "evolve"] },
    });
  });

  test("missing, garbage and expired tokens are 401 with WWW-Authenticate", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const anHourAgo = new Date(Date.now() - 3600_000);
    const subject = { userId: session.user.id, sessionId: sessionIdOf(session.access_token) };
    const expired = await signAccessToken(app.config.auth.jwtSecret!, subject, 60, anHourAgo);
    for (const headers of [{}, bearer("garbage"), bearer(expired), { authorization: "Basic abc" }]) {
      const response = await app.fetch("/v1/auth/me", { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      expect((await response.json()).error.code).toBe("unauthenticated");
    }
    const response = await app.fetch("/v1/auth/me", { headers: bearer(expired) });
    expect((await response.json()).error.message).toContain("expired");
  });

  test("a token signed with another secret is refused", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const subject = { userId: session.user.id, sessionId: sessionIdOf(session.access_token) };
    const forged = await signAccessToken("another-secret-another-secret-0000", subject, 600);
    expect((await app.fetch("/v1/auth/me", { headers: bearer(forged) })).status).toBe(401);
  });
});

describe("POST /v1/auth/refresh and /logout", () => {
  test("rotates the refresh token; the new one works, the old one is single-use", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const r1 = await app.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }));
    expect(r1.status).toBe(200);
    const second = await r1.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await app.fetch("/v1/auth/me", { headers: bearer(second.access_token) })).status).toBe(200);
  });

  test("reusing a used refresh token revokes the whole family", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const second = await (
      await app.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }))
    ).json();
    await usedSecondsAgo(first.refresh_token, 60); // past the two-tabs grace window
    const reuse = await app.fetch("/v1/auth/refresh", post({ refresh_token: first.refresh_token }));
    expect(reuse.status).toBe(401);
    expect((await reuse.json()).error.message).toContain("already used");
    // the thief's copy and the legitimate latest token are both dead now
    const latest = await app.fetch("/v1/auth/refresh", post({ refresh_token: second.refresh_token }));
    expect(latest.status).toBe(401);
  });

  test("two tabs refreshing at once: one wins, the other is told to retry, the session survives", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const cookie = { cookie: `ace_refresh=${first.refresh_token}`, "x-requested-with": "ace-admin" };
    const [a, b] = await Promise.all([
      app.fetch("/v1/auth/refresh", { method: "POST", headers: cookie }),
      app.fetch("/v1/auth/refresh", { method: "POST", headers: cookie }),
    ]);
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a];
    expect([winner.status, loser.status]).toEqual([200, 401]);
    expect((await loser.json()).error.details.reason).toBe("refresh_token_rotated");
    const next = /ace_refresh=([^;]+)/.exec(winner.headers.get("set-cookie") ?? "")?.[1];
    const retry = await app.fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: `ace_refresh=${next}`, "x-requested-with": "ace-admin" },
    });
    expect(retry.status).toBe(200); // the family was not revoked
  });

  test("the cookie works instead of the body", async () => {
    const app = createTestApp(db.pool);
    const first = await signUp(app);
    const response = await app.fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: `ace_refresh=${first.refresh_token}`, "x-requested-with": "ace-admin" },
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/ace_refresh=[^;]{20,}/);
    const body = await response.json();
    expect(body.access_token).toBeString();
    expect(body).not.toHaveProperty("refresh_token"); // what came in the cookie stays there
  });

  test("cookie_only sign-in keeps the refresh token out of every body", async () => {
    const app = createTestApp(db.pool);
    const email = `${crypto.randomUUID()}@example.com`;
    const registered = await app.fetch(
      "/v1/auth/register",
      post({ email, password: PASSWORD, cookie_only: true }),
    );
    expect(registered.status).toBe(201);
    expect(await registered.json()).not.toHaveProperty("refresh_token");
    const login = await app.fetch("/v1/auth/login", post({ email, password: PASSWORD, cookie_only: true }));
    expect(login.status).toBe(200);
    expect(await login.json()).not.toHaveProperty("refresh_token");
    const token = /ace_refresh=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1];
    const refreshed = await app.fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: `ace_refresh=${token}`, "x-requested-with": "ace-admin" },
    });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).not.toHaveProperty("refresh_token");
  });

  test("no token at all is 401 with a hint", async () => {
    const app = createTestApp(db.pool);
    const response = await app.fetch("/v1/auth/refresh", post({}));
    expect(response.status).toBe(401);
    expect((await response.json()).error.message).toContain("refresh_token");
  });

  test("logout ends the session: its refresh token no longer works", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const out = await app.fetch("/v1/auth/logout", post({ refresh_token: session.refresh_token }));
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    const again = await app.fetch("/v1/auth/refresh", post({ refresh_token: session.refresh_token }));
    expect(again.status).toBe(401);
  });

  test("logout: no token is 401 naming refresh_token; an unknown or repeated one is a quiet 204", async () => {
    const app = createTestApp(db.pool);
    const none = await app.fetch("/v1/auth/logout", { method: "POST" });
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toContain("refresh_token");
    const session = await signUp(app);
    for (let i = 0; i < 2; i++) {
      const out = await app.fetch("/v1/auth/logout", post({ refresh_token: session.refresh_token }));
      expect(out.status).toBe(204);
    }
    const unknown = await app.fetch("/v1/auth/logout", post({ refresh_token: "not-a-token-we-issued" }));
    expect(unknown.status).toBe(204); // reveals nothing about which tokens exist
    const wrongType = await app.fetch("/v1/auth/logout", post({ refresh_token: 42 }));
    expect(wrongType.status).toBe(422);
  });
});
