import type { BulletSnapshot } from "../types.ts";

export type ChangeOp = "ADD" | "UPDATE" | "MERGE" | "REMOVE" | "TAG" | "PRUNE" | "INVALID";
export type ChangeSource = "curator" | "reflector" | "budget";

/**
 * One line of the change log: an operation as proposed and what it did. Rejected entries keep
 * the raw proposal and say why; applied entries hold the bullets' state before and after.
 */
export interface ChangeEntry {
  op: ChangeOp;
  status: "applied" | "rejected";
  source: ChangeSource;
  /** Bullets the op targets; for an applied ADD, the new (or bumped) bullet. */
  bulletIds: string[];
  before: BulletSnapshot[];
  /** Null when the bullet is gone (REMOVE, PRUNE) or nothing changed (rejected). */
  after: BulletSnapshot | null;
  /** Why it was proposed: the curator's reason, the tag, the pruning rule. */
  reason: string | null;
  /** Why it was not applied. */
  rejection: string | null;
  /** An ADD that was a near duplicate of this bullet, whose helpful counter was bumped instead. */
  duplicateOf: string | null;
  /** For TAG entries: the outcome whose reflection produced the tag. */
  outcomeId: string | null;
  /** The op as proposed, kept for rejected entries only. */
  proposed: unknown;
}

/** Builds an entry with the optional fields defaulted. */
export function entry(
  fields: Partial<ChangeEntry> & Pick<ChangeEntry, "op" | "status" | "source">,
): ChangeEntry {
  return {
    bulletIds: [],
    before: [],
    after: null,
    reason: null,
    rejection: null,
    duplicateOf: null,
    outcomeId: null,
    proposed: null,
    ...fields,
  };
}
