/** A run of text in a changed line; `changed` runs are the words that differ from the other side. */
export interface Segment {
  text: string;
  changed: boolean;
}

/**
 * One line of a playbook diff. Bullets are matched by id, so a bullet whose text changed in place is
 * one `changed` line (not a removal and an addition), one that moved is `moved` where it now stands
 * plus `moved-away` where it stood, and one where only helpful/harmful counters moved is `counters`.
 * Line numbers are 1-based in the old (A) and new (B) text.
 */
export type DiffLine =
  | { type: "context"; oldNo: number; newNo: number; text: string; bulletId: string | null }
  | { type: "added"; newNo: number; text: string; bulletId: string | null }
  | { type: "removed"; oldNo: number; text: string; bulletId: string | null }
  | {
      type: "changed";
      oldNo: number;
      newNo: number;
      bulletId: string | null;
      old: Segment[];
      new: Segment[];
    }
  | {
      type: "counters";
      oldNo: number;
      newNo: number;
      bulletId: string;
      oldText: string;
      newText: string;
      helpful: [number, number];
      harmful: [number, number];
    }
  | {
      type: "moved";
      newNo: number;
      /** Where the bullet stood in the old text. */
      fromNo: number;
      bulletId: string;
      fromSection: string | null;
      toSection: string | null;
      /** Word-level highlights when the text changed too; both unhighlighted when it did not. */
      old: Segment[];
      new: Segment[];
    }
  | {
      type: "moved-away";
      oldNo: number;
      /** Where the bullet stands in the new text. */
      toNo: number;
      bulletId: string;
      toSection: string | null;
      text: string;
    };

export type DiffLineType = DiffLine["type"];

/** A row of the side-by-side view: the old line on the left, the new one on the right. */
export interface SideRow {
  left: SideCell | null;
  right: SideCell | null;
}

export interface SideCell {
  no: number;
  type: DiffLineType;
  segments: Segment[];
  bulletId: string | null;
  /** For moved bullets: the section it came from (right cell) or went to (left cell). */
  note: string | null;
}

/** A unified-diff hunk with its context; `rows` is the same hunk laid out side by side. */
export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Unchanged lines left out between the previous hunk (or the start) and this one. */
  skippedBefore: number;
  lines: DiffLine[];
  rows: SideRow[];
}

export interface BulletChangeCounts {
  added: number;
  removed: number;
  changed: number;
  moved: number;
  /** Bullets whose only change is their helpful/harmful counters. */
  counters: number;
  unchanged: number;
}

export interface PlaybookDiff {
  summary: BulletChangeCounts;
  /** Lines that differ in any way (counter-only lines included), whatever `hideCounters` says. */
  changedLines: number;
  hunks: Hunk[];
  /** Unchanged lines after the last hunk. */
  skippedAfter: number;
  identical: boolean;
}

export interface DiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
  /** Treat counter-only changes as unchanged lines, so they form no hunks (the summary still counts them). */
  hideCounters?: boolean;
}
