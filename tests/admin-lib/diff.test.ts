import { describe, expect, test } from "bun:test";
import { diffLines, diffPlaybooks, type Segment } from "../../admin/src/lib/diff/index.ts";
import { readFixture } from "../support/fixtures.ts";

const text = (segments: Segment[]) => segments.map((s) => s.text).join("");
const highlighted = (segments: Segment[]) =>
  segments
    .filter((s) => s.changed)
    .map((s) => s.text.trim())
    .filter(Boolean);

const BASE = [
  "# Playbook",
  "## STRATEGIES",
  "[str-00001] helpful=1 harmful=0 :: Read the API docs first.",
  "[str-00002] helpful=0 harmful=0 :: Write small steps.",
  "[str-00003] helpful=2 harmful=1 :: Check the result.",
  "## MISTAKES",
  "[mis-00001] helpful=0 harmful=0 :: Do not guess ids.",
].join("\n");

const edit = (from: string, to: string, source = BASE) => {
  if (!source.includes(from)) throw new Error(`fixture edit: ${from}`);
  return source.replace(from, to);
};

describe("diffPlaybooks", () => {
  test("identical texts give no hunks", () => {
    const diff = diffPlaybooks(BASE, BASE);
    expect(diff.identical).toBe(true);
    expect(diff.hunks).toEqual([]);
    expect(diff.skippedAfter).toBe(7);
    expect(diff.summary).toEqual({ added: 0, removed: 0, changed: 0, moved: 0, counters: 0, unchanged: 4 });
  });

  test("a bullet whose text changed is one CHANGED line with word highlights", () => {
    const after = edit("Write small steps.", "Write small, tested steps.");
    const diff = diffPlaybooks(BASE, after);
    expect(diff.summary.changed).toBe(1);
    expect(diff.summary.added + diff.summary.removed).toBe(0);
    const changed = diff.hunks.flatMap((h) => h.lines).filter((l) => l.type === "changed");
    expect(changed).toHaveLength(1);
    const line = changed[0]!;
    if (line.type !== "changed") throw new Error("unreachable");
    expect(line.bulletId).toBe("str-00002");
    expect([line.oldNo, line.newNo]).toEqual([4, 4]);
    expect(text(line.old)).toBe("[str-00002] helpful=0 harmful=0 :: Write small steps.");
    expect(text(line.new)).toBe("[str-00002] helpful=0 harmful=0 :: Write small, tested steps.");
    // Words and punctuation are separate tokens: only what was inserted is marked.
    expect(highlighted(line.old)).toEqual([]);
    expect(highlighted(line.new).join(" ")).toBe(", tested");
  });

  test("a bullet that moved section is MOVED, not deleted and added", () => {
    const moved = "[str-00001] helpful=1 harmful=0 :: Read the API docs first.";
    const after = `${edit(`${moved}\n`, "")}\n${moved}`;
    const diff = diffPlaybooks(BASE, after);
    expect(diff.summary).toMatchObject({ moved: 1, added: 0, removed: 0, changed: 0 });
    const lines = diff.hunks.flatMap((h) => h.lines);
    const to = lines.find((l) => l.type === "moved");
    const from = lines.find((l) => l.type === "moved-away");
    expect(to).toMatchObject({ bulletId: "str-00001", fromSection: "STRATEGIES", toSection: "MISTAKES" });
    expect(to).toMatchObject({ fromNo: 3, newNo: 7 });
    expect(from).toMatchObject({ bulletId: "str-00001", oldNo: 3, toNo: 7, toSection: "MISTAKES" });
    expect(lines.some((l) => l.type === "added" || l.type === "removed")).toBe(false);
    const rows = diff.hunks.flatMap((h) => h.rows);
    expect(rows.find((r) => r.right?.type === "moved")?.right?.note).toBe("moved from “STRATEGIES”");
    expect(rows.find((r) => r.left?.type === "moved-away")?.left?.note).toBe("moved to “MISTAKES”");
  });

  test("a bullet that moved and changed text is MOVED with word highlights", () => {
    const after = [
      "# Playbook",
      "## STRATEGIES",
      "[str-00002] helpful=0 harmful=0 :: Write small steps.",
      "[str-00003] helpful=2 harmful=1 :: Check the result.",
      "## MISTAKES",
      "[mis-00001] helpful=0 harmful=0 :: Do not guess ids.",
      "[str-00001] helpful=1 harmful=0 :: Read the API docs before coding.",
    ].join("\n");
    const moved = diffLines(BASE, after).find((l) => l.type === "moved");
    if (moved?.type !== "moved") throw new Error("expected a moved line");
    expect(highlighted(moved.new)).toEqual(["before coding"]);
    expect(highlighted(moved.old)).toEqual(["first"]);
  });

  test("counter-only changes are their own kind and can be hidden from the hunks", () => {
    const after = edit("helpful=2 harmful=1 :: Check", "helpful=3 harmful=1 :: Check");
    const shown = diffPlaybooks(BASE, after);
    expect(shown.summary).toMatchObject({ counters: 1, changed: 0 });
    const line = shown.hunks[0]?.lines.find((l) => l.type === "counters");
    expect(line).toMatchObject({ bulletId: "str-00003", helpful: [2, 3], harmful: [1, 1] });
    const row = shown.hunks[0]?.rows.find((r) => r.right?.type === "counters");
    expect(highlighted(row!.right!.segments)).toEqual(["3"]);

    const hidden = diffPlaybooks(BASE, after, { hideCounters: true });
    expect(hidden.hunks).toEqual([]);
    expect(hidden.summary.counters).toBe(1);
    expect(hidden.identical).toBe(false);
  });

  test("added and removed bullets, with unified line numbers", () => {
    const after = edit(
      "[str-00002] helpful=0 harmful=0 :: Write small steps.\n",
      "[str-00004] helpful=0 harmful=0 :: Log each step.\n",
    );
    const diff = diffPlaybooks(BASE, after, { context: 1 });
    expect(diff.summary).toMatchObject({ added: 1, removed: 1, unchanged: 3 });
    expect(diff.hunks).toHaveLength(1);
    const hunk = diff.hunks[0]!;
    expect(hunk).toMatchObject({ oldStart: 3, oldLines: 3, newStart: 3, newLines: 3, skippedBefore: 2 });
    expect(hunk.lines.map((l) => l.type)).toEqual(["context", "removed", "added", "context"]);
    // Side by side, the removal and the addition share a row.
    expect(hunk.rows.map((r) => [r.left?.type ?? null, r.right?.type ?? null])).toEqual([
      ["context", "context"],
      ["removed", "added"],
      ["context", "context"],
    ]);
    expect(diff.skippedAfter).toBe(2);
  });

  test("a renamed section header reads as a changed line", () => {
    const diff = diffPlaybooks(BASE, edit("## MISTAKES", "## COMMON MISTAKES"));
    const line = diff.hunks[0]?.lines.find((l) => l.type === "changed");
    expect(line).toMatchObject({ bulletId: null, oldNo: 6, newNo: 6 });
    if (line?.type === "changed") expect(highlighted(line.new)).toEqual(["COMMON"]);
  });

  test("distant changes make separate hunks with the skipped count between them", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `[b-${i}] helpful=0 harmful=0 :: bullet ${i}`);
    const after = [...lines];
    after[2] = "[b-2] helpful=0 harmful=0 :: bullet two";
    after[25] = "[b-25] helpful=0 harmful=0 :: bullet twenty-five";
    const diff = diffPlaybooks(lines.join("\n"), after.join("\n"));
    expect(diff.hunks.map((h) => [h.oldStart, h.oldLines, h.skippedBefore])).toEqual([
      [1, 6, 0],
      [23, 7, 16],
    ]);
    expect(diff.skippedAfter).toBe(1);
  });

  test("an empty side gives hunks that start at the line before", () => {
    const diff = diffPlaybooks("", "## A\n[a-1] x");
    expect(diff.summary.added).toBe(1);
    const hunk = diff.hunks[0]!;
    expect(hunk.lines.map((l) => l.type)).toEqual(["changed", "added"]);
    expect(hunk).toMatchObject({ oldStart: 1, oldLines: 1, newStart: 1, newLines: 2 });
  });

  test("CRLF text diffs like LF text", () => {
    expect(diffPlaybooks(BASE.replace(/\n/g, "\r\n"), BASE).identical).toBe(true);
  });

  test("the 359-bullet fixture: from the initial playbook, and against a reshuffled copy", () => {
    const initial = readFixture("appworld_initial_playbook.txt");
    const trained = readFixture("appworld_online_trained_playbook.txt");
    const started = performance.now();
    const grown = diffPlaybooks(initial, trained);
    expect(grown.summary.added + grown.summary.changed + grown.summary.moved + grown.summary.unchanged).toBe(
      359,
    );

    // Move every tenth bullet to the end, edit every seventh, bump every fifth's counters.
    const source = trained.split("\n");
    const bullets = source.filter((l) => l.startsWith("["));
    const tail: string[] = [];
    const reshaped = source
      .map((line, index) => {
        if (!line.startsWith("[")) return line;
        const n = bullets.indexOf(line);
        if (n % 10 === 0) {
          tail.push(line);
          return null;
        }
        if (n % 7 === 0) return `${line} (revised)`;
        if (n % 5 === 0)
          return line.replace(
            /^(\[[^\]]+\])\s+(?:helpful=\d+ harmful=\d+ :: )?/,
            "$1 helpful=9 harmful=1 :: ",
          );
        return index >= 0 ? line : null;
      })
      .filter((line): line is string => line !== null);
    const after = [...reshaped, "## MOVED", ...tail].join("\n");
    const diff = diffPlaybooks(trained, after);
    const elapsed = performance.now() - started;
    expect(diff.summary.moved).toBe(36);
    expect(diff.summary.added + diff.summary.removed).toBe(0);
    expect(diff.summary.changed).toBeGreaterThan(0);
    expect(diff.summary.counters).toBeGreaterThan(0);
    const total = Object.values(diff.summary).reduce((a, b) => a + b, 0);
    expect(total).toBe(359);
    console.log(`359-bullet diffs: ${elapsed.toFixed(0)} ms for both`);
  });
});
