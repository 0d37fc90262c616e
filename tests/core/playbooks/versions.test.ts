import { beforeAll, describe, expect, test } from "bun:test";
import type { Caller } from "../../../core/auth/caller.ts";
import {
  createPlaybook,
  createVersion,
  diffVersions,
  getPlaybook,
  getVersion,
  listVersions,
  restoreVersion,
} from "../../../core/playbooks/index.ts";
import { useTestDatabase } from "../../support/db.ts";
import { codeOf, createUser } from "../../support/factories.ts";
import { readFixture } from "../../support/fixtures.ts";

const db = useTestDatabase();
const limits = { maxBytes: 200 * 1024 };
const trained = readFixture("appworld_online_trained_playbook.txt");

let alice: Caller;
let bob: Caller;
beforeAll(async () => {
  alice = await createUser(db.pool);
  bob = await createUser(db.pool);
});

/** The fixture with shr-00005 and shr-00016 removed, shr-00009 reworded and one bullet added. */
function editedFixture(): string {
  return trained
    .split("\n")
    .filter((line) => !line.startsWith("[shr-00005]") && !line.startsWith("[shr-00016]"))
    .map((line) =>
      line.startsWith("[shr-00009]") ? "[shr-00009] Compare contacts by email and phone." : line,
    )
    .join("\n")
    .replace("## OTHERS", "## OTHERS\n[misc-99999] Always double-check the final answer.");
}

describe("versions", () => {
  test("a manual edit becomes the next version; the diff names exactly the changed bullets", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "trained", content: trained }, limits);
    expect(p.bullet_count).toBe(359);
    const v2 = await createVersion(db.pool, alice, p.id, { content: editedFixture() }, limits);
    expect(v2).toMatchObject({ version_number: 2, bullet_count: 358, origin: "manual" });
    expect(v2.diff_summary).toBe("manual edit: +1 added, 1 changed, 2 removed");

    const diff = await diffVersions(db.pool, alice, p.id, 2);
    expect(diff.bullets).toEqual({
      added: ["misc-99999"],
      changed: ["shr-00009"],
      removed: ["shr-00005", "shr-00016"],
    });
    expect(diff.unified_diff).toContain("-[shr-00005] Always look at API specifications");
    expect(diff.unified_diff).toContain("+[shr-00009] Compare contacts by email and phone.");

    const listed = await listVersions(db.pool, alice, p.id);
    expect(listed.items.map((v) => v.version_number)).toEqual([2, 1]);
    expect((await getPlaybook(db.pool, alice, p.id)).version_number).toBe(2);
  });

  test("restore makes a new version with the old content, keeping history", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "r", content: "## A\n[a-00001] one\n" }, limits);
    await createVersion(
      db.pool,
      alice,
      p.id,
      { content: "## A\n[a-00001] two\n", summary: "reworded" },
      limits,
    );
    const restored = await restoreVersion(db.pool, alice, p.id, 1);
    expect(restored).toMatchObject({
      version_number: 3,
      origin: "restore",
      content: "## A\n[a-00001] one\n",
    });
    expect((await getVersion(db.pool, alice, p.id, 2)).diff_summary).toBe("reworded");
    expect((await diffVersions(db.pool, alice, p.id, 3, 1)).bullets).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
  });

  test("invalid edits and unknown versions are refused clearly", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "e" }, limits);
    expect(await codeOf(createVersion(db.pool, alice, p.id, { content: "[x-1]\n" }, limits))).toBe(
      "invalid_input",
    );
    expect(await codeOf(getVersion(db.pool, alice, p.id, 9))).toBe("not_found");
    expect(await codeOf(getVersion(db.pool, alice, p.id, "abc"))).toBe("not_found");
    expect(await codeOf(restoreVersion(db.pool, alice, p.id, 0))).toBe("not_found");
    expect(await codeOf(diffVersions(db.pool, alice, p.id, 1))).toBe("invalid_input");
  });

  test("another user sees none of it", async () => {
    const p = await createPlaybook(
      db.pool,
      alice,
      { name: "private", content: "## A\n[a-00001] one\n" },
      limits,
    );
    await createVersion(db.pool, alice, p.id, { content: "## A\n[a-00001] two\n" }, limits);
    const attempts = [
      () => listVersions(db.pool, bob, p.id),
      () => getVersion(db.pool, bob, p.id, 1),
      () => diffVersions(db.pool, bob, p.id, 2),
      () => restoreVersion(db.pool, bob, p.id, 1),
      () => createVersion(db.pool, bob, p.id, { content: "" }, limits),
    ];
    for (const attempt of attempts) expect(await codeOf(attempt())).toBe("not_found");
  });

  test("concurrent edits get distinct version numbers", async () => {
    const p = await createPlaybook(db.pool, alice, { name: "race" }, limits);
    const made = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        createVersion(db.pool, alice, p.id, { content: `## A\n[a-00001] v${i}\n` }, limits),
      ),
    );
    expect(made.map((v) => v.version_number).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
