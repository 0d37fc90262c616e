import { diffArrays, diffWordsWithSpace } from "diff";
// The server's own parser: pure (no I/O, no server imports), so the diff reads bullets exactly as
// the API validates them.
import { parsePlaybook } from "../../../../core/ace/format.ts";
import type { Bullet } from "../../../../core/ace/types.ts";
import type { DiffLine, Segment } from "./types.ts";

interface Line {
  no: number;
  text: string;
  bullet: Bullet | null;
  section: string | null;
}

function readLines(content: string): Line[] {
  const raw = content.includes("\r\n") ? content.replace(/\r\n/g, "\n") : content;
  const texts = raw.split("\n");
  let section: string | null = null;
  return parsePlaybook(raw).lines.map((line, index) => {
    if (line.kind === "section") section = line.name;
    return {
      no: index + 1,
      text: texts[index] ?? "",
      bullet: line.kind === "bullet" ? line.bullet : null,
      section,
    };
  });
}

// Bullets are matched by id, every other line by its text: an edited bullet stays aligned with
// its old self instead of becoming a removal plus an addition.
const keyOf = (line: Line): string => (line.bullet ? `\u0000${line.bullet.id}` : `\u0001${line.text}`);

/** Word-level highlights: the old side marks removed words, the new side added ones. */
export function wordSegments(oldText: string, newText: string): { old: Segment[]; new: Segment[] } {
  const old: Segment[] = [];
  const next: Segment[] = [];
  for (const part of diffWordsWithSpace(oldText, newText)) {
    if (!part.added) old.push({ text: part.value, changed: part.removed });
    if (!part.removed) next.push({ text: part.value, changed: part.added });
  }
  return { old, new: next };
}

export const plainSegments = (text: string): Segment[] => [{ text, changed: false }];

function alignedLine(a: Line, b: Line): DiffLine {
  const before = a.bullet;
  const after = b.bullet;
  if (!before || !after) return { type: "context", oldNo: a.no, newNo: b.no, text: b.text, bulletId: null };
  if (before.content !== after.content) {
    return { type: "changed", oldNo: a.no, newNo: b.no, bulletId: after.id, ...wordSegments(a.text, b.text) };
  }
  if (before.helpful !== after.helpful || before.harmful !== after.harmful) {
    return {
      type: "counters",
      oldNo: a.no,
      newNo: b.no,
      bulletId: after.id,
      oldText: a.text,
      newText: b.text,
      helpful: [before.helpful, after.helpful],
      harmful: [before.harmful, after.harmful],
    };
  }
  return { type: "context", oldNo: a.no, newNo: b.no, text: b.text, bulletId: after.id };
}

function movedLine(from: Line, to: Line, id: string): DiffLine {
  const same = from.bullet?.content === to.bullet?.content;
  return {
    type: "moved",
    newNo: to.no,
    fromNo: from.no,
    bulletId: id,
    fromSection: from.section,
    toSection: to.section,
    ...(same
      ? { old: plainSegments(from.text), new: plainSegments(to.text) }
      : wordSegments(from.text, to.text)),
  };
}

/**
 * Every line of both texts in display order. Within a block of differences the old side's lines
 * come first, then the new side's; a removed free-text line and an added one at the same place in
 * the block are paired as one `changed` line (a renamed section header reads as a rename).
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = readLines(before);
  const b = readLines(after);
  const oldById = new Map<string, Line>();
  for (const line of a) if (line.bullet && !oldById.has(line.bullet.id)) oldById.set(line.bullet.id, line);
  const newById = new Map<string, Line>();
  for (const line of b) if (line.bullet && !newById.has(line.bullet.id)) newById.set(line.bullet.id, line);

  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let removed: Line[] = [];
  let added: Line[] = [];

  const flush = () => {
    const removedText = removed.filter((line) => !line.bullet);
    const addedText = added.filter((line) => !line.bullet);
    const partner = new Map<Line, Line>();
    for (let k = 0; k < Math.min(removedText.length, addedText.length); k++) {
      partner.set(removedText[k]!, addedText[k]!);
      partner.set(addedText[k]!, removedText[k]!);
    }
    for (const line of removed) {
      const id = line.bullet?.id ?? null;
      const pair = partner.get(line);
      const target = id === null ? undefined : newById.get(id);
      if (pair) {
        out.push({
          type: "changed",
          oldNo: line.no,
          newNo: pair.no,
          bulletId: null,
          ...wordSegments(line.text, pair.text),
        });
      } else if (id !== null && target) {
        out.push({
          type: "moved-away",
          oldNo: line.no,
          toNo: target.no,
          bulletId: id,
          toSection: target.section,
          text: line.text,
        });
      } else {
        out.push({ type: "removed", oldNo: line.no, text: line.text, bulletId: id });
      }
    }
    for (const line of added) {
      if (partner.has(line)) continue;
      const id = line.bullet?.id ?? null;
      const source = id === null ? undefined : oldById.get(id);
      if (id !== null && source) out.push(movedLine(source, line, id));
      else out.push({ type: "added", newNo: line.no, text: line.text, bulletId: id });
    }
    removed = [];
    added = [];
  };

  for (const part of diffArrays(a.map(keyOf), b.map(keyOf))) {
    if (part.removed) {
      removed.push(...a.slice(i, i + part.count));
      i += part.count;
    } else if (part.added) {
      added.push(...b.slice(j, j + part.count));
      j += part.count;
    } else {
      flush();
      for (let k = 0; k < part.count; k++) out.push(alignedLine(a[i + k]!, b[j + k]!));
      i += part.count;
      j += part.count;
    }
  }
  flush();
  return out;
}
