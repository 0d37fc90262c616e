import type { Draft } from "../draft.ts";
import { SimilarityIndex } from "../similarity.ts";
import { type ApplyContext, applyAdd, applyMerge, applyRemove, applyUpdate } from "./handlers.ts";
import { type CuratorOp, parseOp } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

export interface ApplyOptions {
  /** Jaccard word similarity at or above which an ADD counts as a duplicate of a bullet. */
  similarityThreshold: number;
  maxBulletChars: number;
}

function applyOne(ctx: ApplyContext, op: CuratorOp): ChangeEntry {
  switch (op.type) {
    case "ADD":
      return applyAdd(ctx, op);
    case "UPDATE":
      return applyUpdate(ctx, op);
    case "MERGE":
      return applyMerge(ctx, op);
    case "REMOVE":
      return applyRemove(ctx, op);
  }
}

/**
 * Validates and applies curator operations to the draft, in order, deterministically and without
 * an LLM. Each op yields one change-log entry; an invalid op (bad shape, unknown type, unknown or
 * already removed id, empty content) is skipped and logged with its reason. Never throws on input.
 */
export function applyOperations(draft: Draft, ops: readonly unknown[], options: ApplyOptions): ChangeEntry[] {
  const ctx: ApplyContext = { draft, similarity: new SimilarityIndex(), ...options };
  return ops.map((raw) => {
    const parsed = parseOp(raw);
    if (!parsed.ok) {
      const type = (raw as { type?: unknown } | null)?.type;
      const op =
        typeof type === "string" && ["ADD", "UPDATE", "MERGE", "REMOVE"].includes(type.toUpperCase())
          ? (type.toUpperCase() as CuratorOp["type"])
          : "INVALID";
      return entry({ op, status: "rejected", source: "curator", rejection: parsed.reason, proposed: raw });
    }
    return applyOne(ctx, parsed.value);
  });
}
