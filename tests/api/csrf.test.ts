import { describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

/**
 * Issue 14: the browser keeps its refresh token in an HttpOnly SameSite=Strict cookie, and a
 * request the cookie authenticates (refresh, logout) must prove it comes from our own page.
 */

const db = useTestDatabase();

async function cookieSession(app: TestApp) {
  const email = `${crypto.randomUUID()}@example.com`;
  await signUp(app, email);
  const login = await app.fetch("/v1/auth/login", {
    method: "POST",
    json: { email, password: PASSWORD, cookie_only: true },
    ip: freshIp(),
  });
  expect(login.status).toBe(200);
  const setCookie = login.headers.get("set-cookie") ?? "";
  const body = (await login.json()) as { access_token: string };
  return { setCookie, token: /ace_refresh=([^;]+)/.exec(setCookie)![1]!, access: body.access_token };
}

const withCookie = (token: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { cookie: `ace_refresh=${token}`, ...headers },
  ip: freshIp(),
});

async function expectRefused(response: Response, reason: string) {
  expect(response.status).toBe(403);
  const { error } = (await response.json()) as { error: { message: string; details: { reason: string } } };
  expect(error.details.reason).toBe(reason);
  return error.message;
}

describe("cookie-authenticated refresh and logout", () => {
  test("login in cookie mode sets HttpOnly; Secure; SameSite=Strict; Path=/v1/auth and no token in the body", async () => {
    const app = createTestApp(db.pool);
    const { setCookie } = await cookieSession(app);
    for (const part of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/auth"])
      expect(setCookie).toContain(part);
  });

  test("without X-Requested-With: 403 saying what to send; with it: 200", async () => {
    const app = createTestApp(db.pool);
    const { token } = await cookieSession(app);
    const message = await expectRefused(
      await app.fetch("/v1/auth/refresh", withCookie(token)),
      "csrf_header_missing",
    );
    expect(message).toContain("X-Requested-With: ace-admin");
    await expectRefused(
      await app.fetch("/v1/auth/refresh", withCookie(token, { "x-requested-with": "  " })),
      "csrf_header_missing",
    );
    const ok = await app.fetch(
      "/v1/auth/refresh",
      withCookie(token, {
        "x-requested-with": "ace-admin",
        origin: "http://localhost",
        "sec-fetch-site": "same-origin",
      }),
    );
    expect(ok.status).toBe(200); // the refused attempts did not use the token up
  });

  test("a cross-site Origin or Sec-Fetch-Site is refused even with the header", async () => {
    const app = createTestApp(db.pool);
    const { token } = await cookieSession(app);
    const header = { "x-requested-with": "ace-admin" };
    await expectRefused(
      await app.fetch("/v1/auth/refresh", withCookie(token, { ...header, "sec-fetch-site": "cross-site" })),
      "cross_site",
    );
    const message = await expectRefused(
      await app.fetch("/v1/auth/logout", withCookie(token, { ...header, origin: "https://evil.example" })),
      "cross_origin",
    );
    expect(message).toContain("https://evil.example");
    await expectRefused(
      await app.fetch("/v1/auth/logout", withCookie(token, { ...header, origin: "null" })),
      "cross_origin",
    );
    // the session survived every refused attempt
    expect((await app.fetch("/v1/auth/refresh", withCookie(token, header))).status).toBe(200);
  });

  test("an origin in ALLOWED_ORIGINS may use the cookie", async () => {
    const app = createTestApp(db.pool, { ALLOWED_ORIGINS: "https://admin.example.com" });
    const { token } = await cookieSession(app);
    const response = await app.fetch(
      "/v1/auth/refresh",
      withCookie(token, { "x-requested-with": "ace-admin", origin: "https://admin.example.com" }),
    );
    expect(response.status).toBe(200);
  });

  test("logout by cookie needs the header too, then ends the session and clears the cookie", async () => {
    const app = createTestApp(db.pool);
    const { token, access } = await cookieSession(app);
    await expectRefused(await app.fetch("/v1/auth/logout", withCookie(token)), "csrf_header_missing");
    expect((await app.fetch("/v1/auth/me", { headers: bearer(access) })).status).toBe(200);
    const out = await app.fetch("/v1/auth/logout", withCookie(token, { "x-requested-with": "ace-admin" }));
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await app.fetch("/v1/auth/me", { headers: bearer(access) })).status).toBe(401);
  });

  test("a refresh token in the body needs no header (a forged request cannot know it)", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const response = await app.fetch("/v1/auth/refresh", {
      method: "POST",
      json: { refresh_token: session.refresh_token },
      headers: { origin: "https://elsewhere.example" },
      ip: freshIp(),
    });
    expect(response.status).toBe(200);
  });
});
