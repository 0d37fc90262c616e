import { beforeAll, describe, expect, test } from "bun:test";
import { seedStarters } from "../../core/playbooks/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { readFixture } from "../support/fixtures.ts";

const db = useTestDatabase();
const appworld = readFixture("appworld_initial_playbook.txt");

let app: TestApp;
let alice: Record<string, string>;
let bob: Record<string, string>;
beforeAll(async () => {
  await seedStarters(db.pool);
  app = createTestApp(db.pool, { PLAYBOOK_MAX_BYTES: "20000" });
  alice = bearer((await signUp(app)).access_token);
  bob = bearer((await signUp(app)).access_token);
});

const create = async (headers: Record<string, string>, json: Record<string, unknown>) => {
  const response = await app.fetch("/v1/playbooks", { method: "POST", json, headers });
  return { status: response.status, body: await response.json() };
};

describe("POST /v1/playbooks", () => {
  test("creates an empty playbook (201) and an imported one", async () => {
    const empty = await create(alice, { name: "Mine", description: "d" });
    expect(empty).toMatchObject({
      status: 201,
      body: { name: "Mine", source: "user_created", version_number: 1 },
    });
    const imported = await create(alice, { name: "AppWorld", content: appworld });
    expect(imported).toMatchObject({
      status: 201,
      body: { source: "imported", bullet_count: 8, content: appworld },
    });
  });

  test("validation errors are 422 naming the field; oversized content is 413 with the limit", async () => {
    const noName = await create(alice, { description: "x" });
    expect(noName.status).toBe(422);
    expect(noName.body.error.message).toContain("name");
    const bad = await create(alice, { name: "x", content: "## A\n[a-1]\n" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain("line 2");
    const big = await create(alice, { name: "x", content: `## A\n${"[a-00001] x\n".repeat(2000)}` });
    expect(big.status).toBe(413);
    expect(big.body.error.message).toContain("the limit is 20000 bytes");
    const both = await create(alice, { name: "x", content: "", starter_id: crypto.randomUUID() });
    expect(both.status).toBe(422);
  });

  test("a NUL character anywhere is a 422 saying what to remove, not a 500", async () => {
    for (const json of [
      { name: "a\u0000b" },
      { name: "x", description: "\u0000" },
      { name: "x", content: "## A\n[a-00001] b\u0000\n" },
    ]) {
      const response = await create(alice, json);
      expect(response.status).toBe(422);
      expect(response.body.error.message).toContain("NUL");
    }
  });

  test("content with special-token text (<|endoftext|>) is stored like any other text", async () => {
    const response = await create(alice, { name: "x", content: "## A\n[a-00001] Stop at <|endoftext|>.\n" });
    expect(response.status).toBe(201);
    expect(response.body.bullet_count).toBe(1);
  });

  test("huge numbers in ids and counters: ids are accepted, counters are a 422 naming the line", async () => {
    const ids = await create(alice, { name: "x", content: "## A\n[a-3000000000] big id\n[a-00001] small\n" });
    expect(ids.status).toBe(201);
    const counters = await create(alice, {
      name: "x",
      content: "## A\n[a-00001] helpful=99999999999 harmful=0 :: x\n",
    });
    expect(counters.status).toBe(422);
    expect(counters.body.error.message).toContain("line 2");
  });

  test("a form-encoded body is 415 asking for JSON", async () => {
    const response = await app.fetch("/v1/playbooks", {
      method: "POST",
      body: "name=x",
      headers: { ...alice, "content-type": "application/x-www-form-urlencoded", "content-length": "6" },
    });
    expect(response.status).toBe(415);
    expect((await response.json()).error.message).toContain("Content-Type: application/json");
  });

  test("malformed JSON is 400; unauthenticated is 401", async () => {
    const malformed = await app.fetch("/v1/playbooks", {
      method: "POST",
      body: "{nope",
      headers: { ...alice, "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const anonymous = await app.fetch("/v1/playbooks", { method: "POST", json: { name: "x" } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="ace"'); // no credentials: no error code
  });

  test("credentials and scope are checked before the body: 401 / 403, not 422, for an invalid body", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer expired.or.forged" },
      { "x-api-key": "ace_nope" },
    ];
    for (const headers of attempts) {
      const response = await app.fetch("/v1/playbooks", { method: "POST", json: {}, headers });
      expect({ headers, status: response.status }).toEqual({ headers, status: 401 });
      expect((await response.json()).error.message).not.toContain("name");
    }
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "reader", scopes: ["read"] });
    const reader = await app.fetch("/v1/playbooks", {
      method: "POST",
      json: {},
      headers: { "x-api-key": key },
    });
    expect(reader.status).toBe(403);
    const keys = await app.fetch("/v1/auth/api-keys", { method: "POST", json: { scopes: 7 }, headers: {} });
    expect(keys.status).toBe(401);
  });

  test("from a starter: the user's own copy", async () => {
    const list = await (await app.fetch("/v1/playbooks?include_starters=true", { headers: alice })).json();
    const starter = list.items.find((p: { is_starter: boolean }) => p.is_starter);
    const copy = await create(alice, { name: "copy", starter_id: starter.id });
    expect(copy).toMatchObject({ status: 201, body: { source: "user_created", cloned_from_id: starter.id } });
  });
});

describe("GET /v1/playbooks and /v1/playbooks/{id}", () => {
  test("lists with pagination; starters only when asked", async () => {
    const carol = bearer((await signUp(app)).access_token);
    for (const name of ["a", "b", "c"]) await create(carol, { name });
    const page1 = await (await app.fetch("/v1/playbooks?limit=2", { headers: carol })).json();
    expect(page1).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
    const page2 = await (await app.fetch("/v1/playbooks?limit=2&offset=2", { headers: carol })).json();
    expect(page2).toMatchObject({ total: 3, next_offset: null });
    const withStarters = await (
      await app.fetch("/v1/playbooks?include_starters=true&limit=100", { headers: carol })
    ).json();
    expect(withStarters.total).toBe(6);
    for (const query of ["limit=0", "limit=101", "offset=-1", "limit=abc", "include_starters=maybe"]) {
      expect((await app.fetch(`/v1/playbooks?${query}`, { headers: carol })).status).toBe(422);
    }
  });

  test("details with content; text download via ?format=text and Accept", async () => {
    const { body } = await create(alice, { name: "Text me", content: appworld });
    const json = await (await app.fetch(`/v1/playbooks/${body.id}`, { headers: alice })).json();
    expect(json).toMatchObject({
      id: body.id,
      content: appworld,
      bullet_count: 8,
      pending_outcomes: 0,
      active_evolution: null,
    });
    const text = await app.fetch(`/v1/playbooks/${body.id}?format=text`, { headers: alice });
    expect(text.headers.get("content-type")).toContain("text/markdown");
    expect(text.headers.get("content-disposition")).toContain('filename="text-me-v1.md"');
    expect(await text.text()).toBe(appworld);
    const accept = await app.fetch(`/v1/playbooks/${body.id}`, {
      headers: { ...alice, accept: "text/markdown" },
    });
    expect(await accept.text()).toBe(appworld);
  });

  test("another user's playbook, unknown and malformed ids are 404", async () => {
    const { body } = await create(alice, { name: "private" });
    for (const id of [body.id, crypto.randomUUID(), "not-a-uuid", "1"]) {
      const response = await app.fetch(`/v1/playbooks/${id}`, { headers: id === body.id ? bob : alice });
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe("not_found");
    }
  });
});

describe("PUT and DELETE /v1/playbooks/{id}", () => {
  test("rename, archive (hidden from the list), un-archive", async () => {
    const dave = bearer((await signUp(app)).access_token);
    const { body } = await create(dave, { name: "old" });
    const renamed = await app.fetch(`/v1/playbooks/${body.id}`, {
      method: "PUT",
      json: { name: "new" },
      headers: dave,
    });
    expect((await renamed.json()).name).toBe("new");
    expect(
      (await app.fetch(`/v1/playbooks/${body.id}`, { method: "PUT", json: {}, headers: dave })).status,
    ).toBe(422);
    const archived = await app.fetch(`/v1/playbooks/${body.id}`, { method: "DELETE", headers: dave });
    expect((await archived.json()).status).toBe("archived");
    expect((await (await app.fetch("/v1/playbooks", { headers: dave })).json()).total).toBe(0);
    expect(
      (await (await app.fetch("/v1/playbooks?include_archived=true", { headers: dave })).json()).total,
    ).toBe(1);
    const back = await app.fetch(`/v1/playbooks/${body.id}`, {
      method: "PUT",
      json: { status: "active" },
      headers: dave,
    });
    expect((await back.json()).status).toBe("active");
  });

  test("another user gets 404; starters are read-only (403); a read-only key cannot write (403)", async () => {
    const { body } = await create(alice, { name: "guarded" });
    expect(
      (await app.fetch(`/v1/playbooks/${body.id}`, { method: "PUT", json: { name: "x" }, headers: bob }))
        .status,
    ).toBe(404);
    expect((await app.fetch(`/v1/playbooks/${body.id}`, { method: "DELETE", headers: bob })).status).toBe(
      404,
    );
    const list = await (await app.fetch("/v1/playbooks?include_starters=true", { headers: alice })).json();
    const starter = list.items.find((p: { is_starter: boolean }) => p.is_starter);
    const put = await app.fetch(`/v1/playbooks/${starter.id}`, {
      method: "PUT",
      json: { name: "mine" },
      headers: alice,
    });
    expect(put.status).toBe(403);
    expect((await put.json()).error.message).toContain("read-only");
    const session = await signUp(app);
    const { key } = await newKey(app, session.access_token, { name: "reader", scopes: ["read"] });
    const created = await app.fetch("/v1/playbooks", {
      method: "POST",
      json: { name: "x" },
      headers: { "x-api-key": key },
    });
    expect(created.status).toBe(403);
    expect((await created.json()).error.message).toContain('"write"');
  });
});
