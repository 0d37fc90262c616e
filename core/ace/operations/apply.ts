import { previewValue } from "../clean.ts";
import type { Draft } from "../draft.ts";
import { ChangeLedger, type GuardOptions } from "../ledger.ts";
import { pruneToBudget } from "../prune.ts";
import { type AddOptions, AddStage } from "./adds.ts";
import { applyChange, type ChangeOp, checkChange, rejected, type Touched, targets } from "./handlers.ts";
import { type CuratorOp, OP_TYPES, parseOp } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

export interface ApplyOptions extends AddOptions, GuardOptions {}

type Indexed<T> = { index: number; op: T };

function invalidEntry(raw: unknown, reason: string): ChangeEntry {
  const type = (raw as { type?: unknown } | null)?.type;
  const upper = typeof type === "string" ? type.trim().toUpperCase() : "";
  const op = (OP_TYPES as readonly string[]).includes(upper) ? (upper as CuratorOp["type"]) : "INVALID";
  return entry({ op, status: "rejected", source: "curator", rejection: reason, proposed: previewValue(raw) });
}

/**
 * UPDATE, MERGE and REMOVE, in order. Each bullet changes at most once. When the valid ones
 * together would change more bullets than the ledger allows, the collapse guard refuses all of
 * them (a reply that tries to rewrite much of a playbook is not trusted for any of it).
 */
function applyChanges(
  ledger: ChangeLedger,
  changes: Indexed<ChangeOp>[],
  maxChars: number,
  log: ChangeEntry[],
) {
  const touched: Touched = new Map();
  const valid: Indexed<ChangeOp>[] = [];
  for (const item of changes) {
    const problem = checkChange(ledger.draft, touched, item.op, maxChars);
    if (problem) log[item.index] = rejected(item.op, problem);
    else valid.push(item);
  }
  const count = new Set(valid.flatMap(({ op }) => targets(op))).size;
  const collapse = ledger.collapseRefusal(count);
  for (const { index, op } of valid) log[index] = collapse ? rejected(op, collapse) : applyChange(ledger, op);
}

/**
 * Validates and applies a Curator reply to the draft, deterministically and without an LLM, and
 * then prunes to the budget: the single place where the change share, the budget and the
 * near-duplicate rule are enforced (see docs/ENGINE_INVARIANTS.md). The log has one entry per
 * proposed op, in the reply's order (applied, or rejected with its reason), then the PRUNE
 * entries. Linear in the reply's size. Never throws on input; throws EngineError
 * `playbook_too_large` only when text outside the bullets cannot fit.
 */
export function applyOperations(draft: Draft, ops: readonly unknown[], options: ApplyOptions): ChangeEntry[] {
  const log: ChangeEntry[] = new Array(ops.length);
  const adds: Indexed<Extract<CuratorOp, { type: "ADD" }>>[] = [];
  const changes: Indexed<ChangeOp>[] = [];
  ops.forEach((raw, index) => {
    const parsed = parseOp(raw);
    if (!parsed.ok) log[index] = invalidEntry(raw, parsed.reason);
    else if (parsed.value.type === "ADD") adds.push({ index, op: parsed.value });
    else changes.push({ index, op: parsed.value });
  });
  const ledger = new ChangeLedger(draft, options);
  applyChanges(ledger, changes, options.maxBulletChars, log);
  const stage = new AddStage(ledger, options);
  for (const { index, op } of adds) log[index] = stage.apply(op);
  return [...log, ...pruneToBudget(ledger)];
}
