import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { createTestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

describe("POST /v1/auth/api-keys", () => {
  test("returns the full key once; only its hash and prefix are stored", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const created = await newKey(app, session.access_token, { name: "ci agent" });
    expect(created.key).toMatch(/^ace_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.scopes).toEqual(["read", "write"]);
    const stored = await db.pool.one(
      sql.type(z.object({ key_hash: z.string() }))`select key_hash from api_keys where id = ${created.id}`,
    );
    expect(stored.key_hash).not.toContain(created.key);
    expect(stored.key_hash).toHaveLength(64);
    const list = await (
      await app.fetch("/v1/auth/api-keys", { headers: bearer(session.access_token) })
    ).json();
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(created.key);
  });

  test("an unknown scope or an empty name is 422", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    for (const json of [{ name: "x", scopes: ["admin"] }, { name: "  " }, { scopes: ["read"] }]) {
      const response = await app.fetch("/v1/auth/api-keys", {
        method: "POST",
        json,
        headers: bearer(session.access_token),
      });
      expect(response.status).toBe(422);
    }
  });

  test("an API key cannot manage keys (403)", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token);
    const response = await app.fetch("/v1/auth/api-keys", {
      method: "POST",
      json: { name: "more" },
      headers: { "x-api-key": key },
    });
    expect(response.status).toBe(403);
  });
});

describe("authenticating with an API key", () => {
  test("works as Bearer and as X-API-Key, with the key's scopes", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key, id } = await newKey(app, session.access_token, { name: "reader", scopes: ["read"] });
    for (const headers of [bearer(key), { "x-api-key": key }]) {
      const response = await app.fetch("/v1/auth/me", { headers });
      expect(response.status).toBe(200);
      expect((await response.json()).auth).toEqual({ via: "api_key", scopes: ["read"], api_key_id: id });
    }
  });

  test("a revoked key fails at once; revoking again is 404", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key, id } = await newKey(app, session.access_token);
    expect((await app.fetch("/v1/auth/me", { headers: { "x-api-key": key } })).status).toBe(200);
    const revoke = await app.fetch(`/v1/auth/api-keys/${id}`, {
      method: "DELETE",
      headers: bearer(session.access_token),
    });
    expect(revoke.status).toBe(204);
    const after = await app.fetch("/v1/auth/me", { headers: { "x-api-key": key } });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain("Bearer");
    const again = await app.fetch(`/v1/auth/api-keys/${id}`, {
      method: "DELETE",
      headers: bearer(session.access_token),
    });
    expect(again.status).toBe(404);
  });

  test("last_used_at is set on first use and not rewritten within the minute", async () => {
    const app = createTestApp(db.pool);
    const session = await signUp(app);
    const { key, id } = await newKey(app, session.access_token);
    await app.fetch("/v1/auth/me", { headers: { "x-api-key": key } });
    const read = () => db.pool.oneFirst(sql.unsafe`select last_used_at from api_keys where id = ${id}`);
    let first: unknown = null;
    for (let i = 0; i < 50 && !first; i++) first = await read(); // the touch is fire-and-forget
    expect(first).not.toBeNull();
    await app.fetch("/v1/auth/me", { headers: { "x-api-key": key } });
    expect(await read()).toEqual(first);
  });
});

describe("another user's keys", () => {
  test("are never listed, renamed or revoked (404)", async () => {
    const app = createTestApp(db.pool);
    const alice = await signUp(app);
    const bob = await signUp(app);
    const aliceKey = await newKey(app, alice.access_token, { name: "alice's" });
    const bobList = await (
      await app.fetch("/v1/auth/api-keys", { headers: bearer(bob.access_token) })
    ).json();
    expect(bobList).toEqual([]);
    const path = `/v1/auth/api-keys/${aliceKey.id}`;
    const rename = await app.fetch(path, {
      method: "PATCH",
      json: { name: "mine" },
      headers: bearer(bob.access_token),
    });
    expect(rename.status).toBe(404);
    const revoke = await app.fetch(path, { method: "DELETE", headers: bearer(bob.access_token) });
    expect(revoke.status).toBe(404);
    expect((await app.fetch("/v1/auth/me", { headers: { "x-api-key": aliceKey.key } })).status).toBe(200);
  });

  test("the owner can rename; a malformed id is 422", async () => {
    const app = createTestApp(db.pool);
    const alice = await signUp(app);
    const { id } = await newKey(app, alice.access_token);
    const renamed = await app.fetch(`/v1/auth/api-keys/${id}`, {
      method: "PATCH",
      json: { name: "renamed" },
      headers: bearer(alice.access_token),
    });
    expect(renamed.status).toBe(200);
    expect((await renamed.json()).name).toBe("renamed");
    const bad = await app.fetch("/v1/auth/api-keys/not-a-uuid", {
      method: "DELETE",
      headers: bearer(alice.access_token),
    });
    expect(bad.status).toBe(422);
  });
});
