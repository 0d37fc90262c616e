import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, claimsOf, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { MCP_HEADERS } from "../support/mcp.ts";

/**
 * Issue 11, item 2: an access token must carry every claim we issue (exp, iat, sub, typ, sid) and
 * may not claim a longer life than the configured one; a token signed with the right secret but
 * lacking any of that is refused on REST and MCP alike.
 */

const db = useTestDatabase();
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the app's own secret, with exactly these claims. */
function forge(app: TestApp, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(app.config.auth.jwtSecret!));
}

async function expectRefusedEverywhere(app: TestApp, token: string) {
  const rest = await app.fetch("/v1/auth/me", { headers: bearer(token) });
  expect(rest.status).toBe(401);
  expect(rest.headers.get("www-authenticate")).toContain('error="invalid_token"');
  const mcp = await app.fetch("/mcp", {
    method: "POST",
    headers: { ...MCP_HEADERS, ...bearer(token) },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  expect(mcp.status).toBe(401);
}

describe("access-token claims", () => {
  test("the tokens we issue carry the session and pass", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const claims = claimsOf(session.access_token);
    expect(claims).toMatchObject({ sub: session.user.id, typ: "access" });
    expect(typeof claims.sid).toBe("string");
    expect(Number(claims.exp) - Number(claims.iat)).toBe(30 * 60);
    expect((await app.fetch("/v1/auth/me", { headers: bearer(session.access_token) })).status).toBe(200);
  });

  test("a token without exp is refused (it would never expire)", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { exp: _dropped, ...rest } = claimsOf(session.access_token);
    await expectRefusedEverywhere(app, await forge(app, rest));
  });

  for (const claim of ["iat", "sub", "typ", "sid"]) {
    test(`a token without ${claim} is refused`, async () => {
      const app = createTestApp(db.pool);
      const session = await signUp(app);
      const claims = claimsOf(session.access_token);
      delete claims[claim];
      await expectRefusedEverywhere(app, await forge(app, claims));
    });
  }

  test("a token claiming a longer life than configured is refused, even while young", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const claims = claimsOf(session.access_token);
    const iat = now();
    await expectRefusedEverywhere(app, await forge(app, { ...claims, iat, exp: iat + 31 * 24 * 3600 }));
    await expectRefusedEverywhere(app, await forge(app, { ...claims, iat, exp: iat + 30 * 60 + 120 }));
  });

  test("a token issued in the future, or of another type, is refused", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const claims = claimsOf(session.access_token);
    const later = now() + 3600;
    await expectRefusedEverywhere(app, await forge(app, { ...claims, iat: later, exp: later + 60 }));
    await expectRefusedEverywhere(app, await forge(app, { ...claims, typ: "refresh" }));
  });

  test("a shorter-lived token with every claim still works", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const iat = now();
    const token = await forge(app, { ...claimsOf(session.access_token), iat, exp: iat + 60 });
    expect((await app.fetch("/v1/auth/me", { headers: bearer(token) })).status).toBe(200);
  });
});
