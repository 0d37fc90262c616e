import { createTwoFilesPatch, formatPatch, type StructuredPatch } from "diff";

/** Past this, a line diff gives up and the patch replaces the whole text (still a valid patch). */
const DIFF_BUDGET_MS = 250;

function lines(text: string, sign: "-" | "+"): string[] {
  if (text === "") return [];
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const out = body.split("\n").map((line) => `${sign}${line}`);
  if (!text.endsWith("\n")) out.push("\\ No newline at end of file");
  return out;
}

/** One hunk that removes every old line and adds every new one. */
function replaceAll(oldName: string, newName: string, a: string, b: string): string {
  const removed = lines(a, "-");
  const added = lines(b, "+");
  const count = (l: string[]) => l.filter((x) => !x.startsWith("\\")).length;
  const patch: StructuredPatch = {
    oldFileName: oldName,
    newFileName: newName,
    oldHeader: undefined,
    newHeader: undefined,
    hunks: [
      {
        oldStart: 1,
        oldLines: count(removed),
        newStart: 1,
        newLines: count(added),
        lines: [...removed, ...added],
      },
    ],
  };
  return formatPatch(patch);
}

/**
 * A unified diff of two texts. The line diff is O(N·D): for two large, wholly different versions
 * it could block the event loop for a minute, so it runs under a time budget and falls back to a
 * whole-text replacement, which is correct but shows no common lines.
 */
export function unifiedDiff(oldName: string, newName: string, a: string, b: string): string {
  return (
    createTwoFilesPatch(oldName, newName, a, b, undefined, undefined, {
      context: 2,
      timeout: DIFF_BUDGET_MS,
    }) ?? replaceAll(oldName, newName, a, b)
  );
}
