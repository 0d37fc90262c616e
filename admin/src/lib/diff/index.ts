import { buildHunks } from "./hunks.ts";
import { diffLines } from "./lines.ts";
import type { BulletChangeCounts, DiffLine, DiffOptions, PlaybookDiff } from "./types.ts";

export { isChange, sideRows } from "./hunks.ts";
export { diffLines, wordSegments } from "./lines.ts";
export type * from "./types.ts";

function countBullets(lines: DiffLine[]): BulletChangeCounts {
  const counts: BulletChangeCounts = {
    added: 0,
    removed: 0,
    changed: 0,
    moved: 0,
    counters: 0,
    unchanged: 0,
  };
  for (const line of lines) {
    switch (line.type) {
      case "added":
      case "removed":
      case "changed":
        if (line.bulletId !== null) counts[line.type]++;
        break;
      case "moved":
      case "counters":
        counts[line.type]++;
        break;
      case "context":
        if (line.bulletId !== null) counts.unchanged++;
        break;
    }
  }
  return counts;
}

/**
 * Bullet-aware diff of two playbook versions (A = before, B = after): unified hunks, the same hunks
 * as side-by-side rows, and per-bullet counts. Pure and synchronous; never throws.
 */
export function diffPlaybooks(before: string, after: string, options: DiffOptions = {}): PlaybookDiff {
  const lines = diffLines(before, after);
  const { hunks, skippedAfter } = buildHunks(lines, options.context ?? 3, options.hideCounters ?? false);
  const changedLines = lines.filter((line) => line.type !== "context").length;
  return { summary: countBullets(lines), changedLines, hunks, skippedAfter, identical: changedLines === 0 };
}
