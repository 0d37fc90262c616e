import { plainSegments, wordSegments } from "./lines.ts";
import type { DiffLine, Hunk, SideCell, SideRow } from "./types.ts";

/** Whether a line counts as a change for grouping into hunks. */
export function isChange(line: DiffLine, hideCounters: boolean): boolean {
  if (line.type === "context") return false;
  return !(hideCounters && line.type === "counters");
}

/** The old and new line numbers a line occupies (a moved bullet occupies only its new place). */
function sides(line: DiffLine): { old: number | null; new: number | null } {
  switch (line.type) {
    case "added":
    case "moved":
      return { old: null, new: line.newNo };
    case "removed":
    case "moved-away":
      return { old: line.oldNo, new: null };
    default:
      return { old: line.oldNo, new: line.newNo };
  }
}

const cell = (
  no: number,
  type: DiffLine["type"],
  segments: SideCell["segments"],
  bulletId: string | null,
  note: string | null = null,
): SideCell => ({ no, type, segments, bulletId, note });

const sectionLabel = (section: string | null) => (section === null ? "the top" : `“${section}”`);

function leftCell(line: DiffLine): SideCell | null {
  switch (line.type) {
    case "context":
      return cell(line.oldNo, line.type, plainSegments(line.text), line.bulletId);
    case "removed":
      return cell(line.oldNo, line.type, plainSegments(line.text), line.bulletId);
    case "moved-away":
      return cell(
        line.oldNo,
        line.type,
        plainSegments(line.text),
        line.bulletId,
        `moved to ${sectionLabel(line.toSection)}`,
      );
    case "changed":
      return cell(line.oldNo, line.type, line.old, line.bulletId);
    case "counters":
      return cell(line.oldNo, line.type, wordSegments(line.oldText, line.newText).old, line.bulletId);
    default:
      return null;
  }
}

function rightCell(line: DiffLine): SideCell | null {
  switch (line.type) {
    case "context":
      return cell(line.newNo, line.type, plainSegments(line.text), line.bulletId);
    case "added":
      return cell(line.newNo, line.type, plainSegments(line.text), line.bulletId);
    case "moved":
      return cell(
        line.newNo,
        line.type,
        line.new,
        line.bulletId,
        `moved from ${sectionLabel(line.fromSection)}`,
      );
    case "changed":
      return cell(line.newNo, line.type, line.new, line.bulletId);
    case "counters":
      return cell(line.newNo, line.type, wordSegments(line.oldText, line.newText).new, line.bulletId);
    default:
      return null;
  }
}

/** Side-by-side rows: two-sided lines take a row each; one-sided runs are zipped left with right. */
export function sideRows(lines: DiffLine[]): SideRow[] {
  const rows: SideRow[] = [];
  let left: SideCell[] = [];
  let right: SideCell[] = [];
  const flush = () => {
    for (let k = 0; k < Math.max(left.length, right.length); k++) {
      rows.push({ left: left[k] ?? null, right: right[k] ?? null });
    }
    left = [];
    right = [];
  };
  for (const line of lines) {
    const s = sides(line);
    if (s.old !== null && s.new !== null) {
      flush();
      rows.push({ left: leftCell(line), right: rightCell(line) });
    } else if (s.old !== null) {
      // A new left-only run after right-only lines starts a new block.
      if (right.length > 0) flush();
      const c = leftCell(line);
      if (c) left.push(c);
    } else {
      const c = rightCell(line);
      if (c) right.push(c);
    }
  }
  flush();
  return rows;
}

function makeHunk(lines: DiffLine[], skippedBefore: number, nextOld: number, nextNew: number): Hunk {
  let oldStart = 0;
  let newStart = 0;
  let oldLines = 0;
  let newLines = 0;
  for (const line of lines) {
    const s = sides(line);
    if (s.old !== null) {
      if (oldLines === 0) oldStart = s.old;
      oldLines++;
    }
    if (s.new !== null) {
      if (newLines === 0) newStart = s.new;
      newLines++;
    }
  }
  // Unified-diff convention: an empty side starts at the line before the hunk.
  if (oldLines === 0) oldStart = nextOld - 1;
  if (newLines === 0) newStart = nextNew - 1;
  return { oldStart, oldLines, newStart, newLines, skippedBefore, lines, rows: sideRows(lines) };
}

/** Groups lines into hunks with `context` unchanged lines around each change. */
export function buildHunks(
  lines: DiffLine[],
  context: number,
  hideCounters: boolean,
): { hunks: Hunk[]; skippedAfter: number } {
  const hunks: Hunk[] = [];
  const changes: number[] = [];
  lines.forEach((line, index) => {
    if (isChange(line, hideCounters)) changes.push(index);
  });
  if (changes.length === 0) return { hunks, skippedAfter: lines.length };

  // Next old/new line number at each index, for hunks with an empty side.
  let nextOld = 1;
  let nextNew = 1;
  const nextAt: Array<[number, number]> = lines.map((line) => {
    const here: [number, number] = [nextOld, nextNew];
    const s = sides(line);
    if (s.old !== null) nextOld = s.old + 1;
    if (s.new !== null) nextNew = s.new + 1;
    return here;
  });

  let end = 0;
  let k = 0;
  while (k < changes.length) {
    const start = Math.max(0, changes[k]! - context);
    let last = changes[k]!;
    // Two changes share a hunk when their contexts touch or overlap.
    while (k + 1 < changes.length && changes[k + 1]! - last <= 2 * context + 1) last = changes[++k]!;
    k++;
    const stop = Math.min(lines.length, last + context + 1);
    const [o, n] = nextAt[start]!;
    hunks.push(makeHunk(lines.slice(start, stop), start - end, o, n));
    end = stop;
  }
  return { hunks, skippedAfter: lines.length - end };
}
