import { beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Caller } from "../../../core/auth/caller.ts";
import {
  archivePlaybook,
  createPlaybook,
  EMPTY_PLAYBOOK,
  getPlaybook,
  listPlaybooks,
  seedStarters,
  updatePlaybook,
} from "../../../core/playbooks/index.ts";
import { STARTERS_DIR } from "../../../core/playbooks/seed-starters.ts";
import { useTestDatabase } from "../../support/db.ts";
import { codeOf, createUser, withScopes } from "../../support/factories.ts";
import { readFixture } from "../../support/fixtures.ts";

const db = useTestDatabase();
const limits = { maxBytes: 100 * 1024 };
const initialFixture = readFixture("appworld_initial_playbook.txt");

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
  bob = await createUser(db.pool);
  await seedStarters(db.pool);
});

describe("createPlaybook", () => {
  test("an empty playbook starts with the ACE sections as version 1", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "Mine" }, limits);
    expect(p).toMatchObject({
      name: "Mine",
      source: "user_created",
      version_number: 1,
      bullet_count: 0,
      is_starter: false,
    });
    expect(p.content).toBe(EMPTY_PLAYBOOK);
  });

  test("pasted ACE text is imported as-is", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "AppWorld", content: initialFixture }, limits);
    expect(p).toMatchObject({ source: "imported", bullet_count: 8 });
    expect(p.content).toBe(initialFixture);
  });

  test("invalid text is refused with the line number", async () => {
    const error = await createPlaybook(
      db.pool,
      alice,
      { name: "x", content: "## A\n[a-1] helpful=x :: y\n" },
      limits,
    ).catch((e) => e);
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("line 2");
  });

  test("content over the limit is payload_too_large naming the limit", async () => {
    const error = await createPlaybook(
      db.pool,
      alice,
      { name: "x", content: `## A\n${"[a-1] big\n".repeat(20)}` },
      { maxBytes: 100 },
    ).catch((e) => e);
    expect(error.code).toBe("payload_too_large");
    expect(error.message).toContain("the limit is 100 bytes");
  });

  test("from a starter: the user's own copy, remembering the starter", async () => {
    const starters = await listPlaybooks(db.pool, alice, { include_starters: true });
    const starter = starters.items.find((p) => p.is_starter)!;
    const copy = await createPlaybook(db.pool, alice, { name: "My coding", starter_id: starter.id }, limits);
    const original = await getPlaybook(db.pool, alice, starter.id);
    expect(copy).toMatchObject({
      source: "user_created",
      cloned_from_id: starter.id,
      bullet_count: starter.bullet_count,
    });
    expect(copy.content).toBe(original.content);
  });

  test("an unknown starter id is not_found", async () => {
    expect(
      await codeOf(createPlaybook(db.pool, alice, { name: "x", starter_id: crypto.randomUUID() }, limits)),
    ).toBe("not_found");
  });
});

describe("getPlaybook and ownership", () => {
  test("another user's playbook, a random id and a malformed id are all not_found", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "secret" }, limits);
    expect(await codeOf(getPlaybook(db.pool, bob, p.id))).toBe("not_found");
    expect(await codeOf(getPlaybook(db.pool, alice, crypto.randomUUID()))).toBe("not_found");
    expect(await codeOf(getPlaybook(db.pool, alice, "not-a-uuid"))).toBe("not_found");
    expect(await codeOf(updatePlaybook(db.pool, bob, p.id, { name: "stolen" }))).toBe("not_found");
    expect(await codeOf(archivePlaybook(db.pool, bob, p.id))).toBe("not_found");
  });

  test("starters are readable by everyone and writable by no one", async () => {
    const starter = (await listPlaybooks(db.pool, bob, { include_starters: true })).items.find(
      (p) => p.is_starter,
    )!;
    expect((await getPlaybook(db.pool, bob, starter.id)).bullet_count).toBeGreaterThan(10);
    expect(await codeOf(updatePlaybook(db.pool, bob, starter.id, { name: "mine now" }))).toBe("forbidden");
  });

  test("a key without read cannot read", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "scoped" }, limits);
    expect(await codeOf(getPlaybook(db.pool, withScopes(alice, ["write"]), p.id))).toBe("forbidden");
  });
});

describe("listPlaybooks", () => {
  test("paginates with total and next_offset; archived hidden unless asked", async () => {
    const carol = await createUser(db.pool);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createPlaybook(db.pool, carol, { name: `p${i}` }, limits));
    await archivePlaybook(db.pool, carol, made[0]!.id);
    const first = await listPlaybooks(db.pool, carol, { limit: 3 });
    expect(first).toMatchObject({ total: 4, limit: 3, offset: 0, next_offset: 3 });
    expect(first.items.map((p) => p.name)).toEqual(["p4", "p3", "p2"]);
    const last = await listPlaybooks(db.pool, carol, { limit: 3, offset: 3 });
    expect(last).toMatchObject({ total: 4, next_offset: null });
    expect(last.items.map((p) => p.name)).toEqual(["p1"]);
    expect((await listPlaybooks(db.pool, carol, { offset: 50 })).items).toEqual([]);
    const all = await listPlaybooks(db.pool, carol, { include_archived: true });
    expect(all.total).toBe(5);
    const withStarters = await listPlaybooks(db.pool, carol, { include_starters: true, limit: 100 });
    expect(withStarters.items.filter((p) => p.is_starter).length).toBeGreaterThanOrEqual(3);
  });

  test("un-archiving brings a playbook back", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "again" }, limits);
    expect((await archivePlaybook(db.pool, alice, p.id)).status).toBe("archived");
    expect((await updatePlaybook(db.pool, alice, p.id, { status: "active" })).status).toBe("active");
  });
});

describe("seedStarters", () => {
  test("a changed starter file becomes a new version of that starter", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ace-starters-"));
    cpSync(STARTERS_DIR, dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(dir, "starters.json"), "utf8"));
    manifest.forEach((m: { file: string }, i: number) => {
      m.file = `custom_${i}.md`;
      cpSync(
        path.join(STARTERS_DIR, `${["coding_agent", "web_research", "data_analysis"][i]}.md`),
        path.join(dir, m.file),
      );
    });
    writeFileSync(path.join(dir, "starters.json"), JSON.stringify(manifest));
    await seedStarters(db.pool, undefined, dir);
    const file = path.join(dir, "custom_0.md");
    writeFileSync(file, `${readFileSync(file, "utf8")}[str-99999] helpful=0 harmful=0 :: One more lesson.\n`);
    await seedStarters(db.pool, undefined, dir);
    const starters = (await listPlaybooks(db.pool, alice, { include_starters: true, limit: 100 })).items;
    const changed = starters.find((p) => p.name === manifest[0].name && p.version_number === 2);
    expect(changed).toBeDefined();
    expect((await getPlaybook(db.pool, alice, changed!.id)).content).toContain("[str-99999]");
  });

  test("is idempotent", async () => {
    const before = await listPlaybooks(db.pool, alice, { include_starters: true, limit: 100 });
    await seedStarters(db.pool);
    const after = await listPlaybooks(db.pool, alice, { include_starters: true, limit: 100 });
    expect(after.items.filter((p) => p.is_starter)).toEqual(before.items.filter((p) => p.is_starter));
  });
});
