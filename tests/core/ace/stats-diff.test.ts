import { describe, expect, test } from "bun:test";
import { countTokens, diffBullets, playbookStats } from "../../../core/ace/index.ts";
import { readFixture } from "../../support/fixtures.ts";

describe("playbookStats", () => {
  test("counts bullets per section, including empty sections", async () => {
    const stats = playbookStats(await readFixture("appworld_initial_playbook.txt"));
    expect(stats.bulletCount).toBe(8);
    expect(stats.sections.map((s) => s.bulletCount)).toEqual([3, 1, 0, 0, 2, 0, 0, 2]);
    expect(stats.sections[6]?.name).toBe("TROUBLESHOOTING AND PITFALLS:");
    expect(stats.unused).toHaveLength(8);
    expect(stats.bytes).toBe(1469);
  });

  test("classifies high-performing, problematic and unused bullets", () => {
    const stats = playbookStats(
      "## A\n[a-1] helpful=3 harmful=1 :: x\n[a-2] helpful=1 harmful=1 :: y\n[a-3] helpful=1 harmful=0 :: z\n[a-4] w",
    );
    expect(stats).toMatchObject({ highPerforming: ["a-1"], problematic: ["a-2"], unused: ["a-4"] });
  });

  test("token count stays within 2% above the exact count on the large fixture", async () => {
    const text = await readFixture("appworld_online_trained_playbook.txt");
    const exact = countTokens(text);
    const stats = playbookStats(text);
    expect(stats.bulletCount).toBe(359);
    expect(stats.tokens).toBeGreaterThanOrEqual(exact);
    expect(stats.tokens).toBeLessThanOrEqual(exact * 1.02);
  });
});

describe("diffBullets", () => {
  test("lists added, changed (content, counters or section) and removed ids", () => {
    const before = "## A\n[a-1] one\n[a-2] two\n[a-3] three\n## B\n[b-4] four";
    const after =
      "## A\n[a-1] one\n[a-2] helpful=1 harmful=0 :: two\n[a-5] five\n## B\n[a-3] three\n[b-4] FOUR";
    expect(diffBullets(before, after)).toEqual({
      added: ["a-5"],
      changed: ["a-2", "a-3", "b-4"],
      removed: [],
    });
    expect(diffBullets(after, before).removed).toEqual(["a-5"]);
  });

  test("a counter-less bullet and its zero-counter form are the same bullet", () => {
    expect(diffBullets("[a-1] x", "[a-1] helpful=0 harmful=0 :: x")).toEqual({
      added: [],
      changed: [],
      removed: [],
    });
  });
});
