import type { Draft } from "../draft.ts";
import { sectionKey } from "../format.ts";
import type { SimilarityIndex } from "../similarity.ts";
import type { CuratorOp } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

export interface ApplyContext {
  draft: Draft;
  similarity: SimilarityIndex;
  similarityThreshold: number;
  maxBulletChars: number;
}

type Op<K extends CuratorOp["type"]> = Extract<CuratorOp, { type: K }>;

function missing(ctx: ApplyContext, id: string): string | null {
  if (ctx.draft.get(id)) return null;
  return ctx.draft.wasRemoved(id)
    ? `bullet ${id} was already removed earlier in this evolution`
    : `unknown bullet id ${id}`;
}

function tooLong(ctx: ApplyContext, content: string): string | null {
  return content.length > ctx.maxBulletChars
    ? `content is ${content.length} characters; the limit is ${ctx.maxBulletChars}`
    : null;
}

const rejected = (op: CuratorOp, rejection: string): ChangeEntry =>
  entry({ op: op.type, status: "rejected", source: "curator", rejection, reason: op.reason, proposed: op });

/** ADD: a fresh bullet, or a helpful bump on a near duplicate in the same section. */
export function applyAdd(ctx: ApplyContext, op: Op<"ADD">): ChangeEntry {
  const problem = tooLong(ctx, op.content);
  if (problem) return rejected(op, problem);
  const key = sectionKey(op.section);
  const peers = ctx.draft.bullets().filter((b) => b.section !== null && sectionKey(b.section) === key);
  const twin = ctx.similarity.closest(op.content, peers, ctx.similarityThreshold);
  if (twin) {
    const before = ctx.draft.snapshot(twin.id);
    const bullet = ctx.draft.get(twin.id)!;
    bullet.helpful += 1;
    const after = ctx.draft.snapshot(twin.id);
    return entry({
      op: "ADD",
      status: "applied",
      source: "curator",
      bulletIds: [twin.id],
      before: [before],
      after,
      reason: op.reason,
      duplicateOf: twin.id,
    });
  }
  const bullet = ctx.draft.add(op.section, op.content);
  return entry({
    op: "ADD",
    status: "applied",
    source: "curator",
    bulletIds: [bullet.id],
    after: ctx.draft.snapshot(bullet.id),
    reason: op.reason,
  });
}

/** UPDATE: new content, same id and counters. */
export function applyUpdate(ctx: ApplyContext, op: Op<"UPDATE">): ChangeEntry {
  const problem = missing(ctx, op.bullet_id) ?? tooLong(ctx, op.content);
  if (problem) return rejected(op, problem);
  const bullet = ctx.draft.get(op.bullet_id)!;
  if (bullet.content === op.content) return rejected(op, "content is unchanged");
  const before = ctx.draft.snapshot(op.bullet_id);
  bullet.content = op.content;
  return entry({
    op: "UPDATE",
    status: "applied",
    source: "curator",
    bulletIds: [op.bullet_id],
    before: [before],
    after: ctx.draft.snapshot(op.bullet_id),
    reason: op.reason,
  });
}

/** MERGE: the first bullet takes the content and the summed counters; the others go. */
export function applyMerge(ctx: ApplyContext, op: Op<"MERGE">): ChangeEntry {
  const ids = op.bullet_ids;
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  const problem =
    (repeated ? `bullet id ${repeated} is listed twice` : null) ??
    ids.map((id) => missing(ctx, id)).find((p) => p !== null) ??
    tooLong(ctx, op.content);
  if (problem) return rejected(op, problem);
  const before = ids.map((id) => ctx.draft.snapshot(id));
  const [keep = "", ...others] = ids;
  const target = ctx.draft.get(keep)!;
  target.helpful = before.reduce((sum, b) => sum + b.helpful, 0);
  target.harmful = before.reduce((sum, b) => sum + b.harmful, 0);
  target.content = op.content;
  for (const id of others) ctx.draft.remove(id);
  return entry({
    op: "MERGE",
    status: "applied",
    source: "curator",
    bulletIds: [...ids],
    before,
    after: ctx.draft.snapshot(keep),
    reason: op.reason,
  });
}

/** REMOVE: the bullet leaves this version (earlier versions keep it). */
export function applyRemove(ctx: ApplyContext, op: Op<"REMOVE">): ChangeEntry {
  const problem = missing(ctx, op.bullet_id);
  if (problem) return rejected(op, problem);
  const before = ctx.draft.snapshot(op.bullet_id);
  ctx.draft.remove(op.bullet_id);
  return entry({
    op: "REMOVE",
    status: "applied",
    source: "curator",
    bulletIds: [op.bullet_id],
    before: [before],
    reason: op.reason,
  });
}
