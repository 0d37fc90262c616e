import { previewValue } from "../clean.ts";
import type { Draft } from "../draft.ts";
import { addToCounter, renderBullet } from "../format.ts";
import { type ChangeLedger, lineSize, type Size } from "../ledger.ts";
import type { CuratorOp } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

export type ChangeOp = Exclude<CuratorOp, { type: "ADD" }>;
type Op<K extends CuratorOp["type"]> = Extract<CuratorOp, { type: K }>;

/** What earlier operations of this evolution did to a bullet: each bullet changes at most once. */
export type Touched = Map<string, "removed" | "changed">;

/** The bullets an UPDATE, MERGE or REMOVE changes. */
export const targets = (op: ChangeOp): string[] => (op.type === "MERGE" ? op.bullet_ids : [op.bullet_id]);

const MAX_LOGGED_IDS = 10;

/** A refused op; what it proposed is kept as a bounded preview. */
export const rejected = (op: CuratorOp, rejection: string): ChangeEntry =>
  entry({
    op: op.type,
    status: "rejected",
    source: "curator",
    bulletIds: op.type === "ADD" ? [] : targets(op).slice(0, MAX_LOGGED_IDS),
    rejection,
    reason: op.reason,
    proposed: previewValue(op),
  });

function unavailable(draft: Draft, touched: Touched, id: string): string | null {
  const earlier = touched.get(id);
  if (earlier) return `bullet ${id} was already ${earlier} earlier in this evolution`;
  return draft.get(id) && !draft.isNew(id) ? null : `unknown bullet id ${id}`;
}

export function tooLong(content: string, maxChars: number): string | null {
  return content.length > maxChars
    ? `content is ${content.length} characters; the limit is ${maxChars}`
    : null;
}

function firstRepeat(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/**
 * Why a change cannot apply to the draft (unknown id, a bullet an earlier op already changed,
 * content too long or unchanged), or null; a valid op marks its bullets as touched.
 */
export function checkChange(draft: Draft, touched: Touched, op: ChangeOp, maxChars: number): string | null {
  const ids = targets(op);
  const repeated = firstRepeat(ids);
  const problem =
    (repeated ? `bullet id ${repeated} is listed twice` : null) ??
    ids.map((id) => unavailable(draft, touched, id)).find((p) => p !== null) ??
    (op.type === "REMOVE" ? null : tooLong(op.content, maxChars)) ??
    (op.type === "UPDATE" && draft.get(op.bullet_id)?.content === op.content ? "content is unchanged" : null);
  if (problem) return problem;
  ids.forEach((id, index) => {
    touched.set(id, op.type === "REMOVE" || index > 0 ? "removed" : "changed");
  });
  return null;
}

const minus = (a: Size, b: Size): Size => ({ tokens: a.tokens - b.tokens, bytes: a.bytes - b.bytes });
const sizeOf = (draft: Draft, id: string) => lineSize(renderBullet(draft.get(id)!));

/** How much the text grows when the op applies (negative when it shrinks). */
function growth(draft: Draft, op: ChangeOp): Size {
  if (op.type === "REMOVE") return minus({ tokens: 0, bytes: 0 }, sizeOf(draft, op.bullet_id));
  const [keep = "", ...others] = targets(op);
  const sources = targets(op).map((id) => draft.get(id)!);
  const merged = {
    ...draft.get(keep)!,
    content: op.content,
    helpful: sources.reduce((sum, b) => addToCounter(sum, b.helpful), 0),
    harmful: sources.reduce((sum, b) => addToCounter(sum, b.harmful), 0),
  };
  let delta = minus(lineSize(renderBullet(merged)), sizeOf(draft, keep));
  for (const id of others) delta = minus(delta, sizeOf(draft, id));
  return delta;
}

/** Applies a checked UPDATE, MERGE or REMOVE, unless it would grow the text past the budget. */
export function applyChange(ledger: ChangeLedger, op: ChangeOp): ChangeEntry {
  const delta = growth(ledger.draft, op);
  const refusal = op.type === "REMOVE" ? null : ledger.growthRefusal(delta);
  if (refusal) return rejected(op, refusal);
  ledger.grow(delta);
  for (const id of targets(op)) ledger.changed.add(id);
  switch (op.type) {
    case "UPDATE":
      return update(ledger.draft, op);
    case "MERGE":
      return merge(ledger.draft, op);
    case "REMOVE":
      return remove(ledger.draft, op);
  }
}

/** UPDATE: new content, same id and counters. */
function update(draft: Draft, op: Op<"UPDATE">): ChangeEntry {
  const before = draft.snapshot(op.bullet_id);
  draft.get(op.bullet_id)!.content = op.content;
  return entry({
    op: "UPDATE",
    status: "applied",
    source: "curator",
    bulletIds: [op.bullet_id],
    before: [before],
    after: draft.snapshot(op.bullet_id),
    reason: op.reason,
  });
}

/** MERGE: the first bullet takes the content and the summed (capped) counters; the others go. */
function merge(draft: Draft, op: Op<"MERGE">): ChangeEntry {
  const ids = op.bullet_ids;
  const before = ids.map((id) => draft.snapshot(id));
  const [keep = "", ...others] = ids;
  const target = draft.get(keep)!;
  target.helpful = before.reduce((sum, b) => addToCounter(sum, b.helpful), 0);
  target.harmful = before.reduce((sum, b) => addToCounter(sum, b.harmful), 0);
  target.content = op.content;
  for (const id of others) draft.remove(id);
  return entry({
    op: "MERGE",
    status: "applied",
    source: "curator",
    bulletIds: [...ids],
    before,
    after: draft.snapshot(keep),
    reason: op.reason,
  });
}

/** REMOVE: the bullet leaves this version (earlier versions keep it). */
function remove(draft: Draft, op: Op<"REMOVE">): ChangeEntry {
  const before = draft.snapshot(op.bullet_id);
  draft.remove(op.bullet_id);
  return entry({
    op: "REMOVE",
    status: "applied",
    source: "curator",
    bulletIds: [op.bullet_id],
    before: [before],
    reason: op.reason,
  });
}
