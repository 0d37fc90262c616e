/**
 * A version's change log as the page shows it. The API returns the engine's entries
 * (core/ace/operations/types.ts ChangeEntry) as loose records; read them defensively.
 */
export interface LogEntry {
  op: string;
  applied: boolean;
  source: string;
  bulletIds: string[];
  before: string | null;
  after: string | null;
  section: string | null;
  reason: string | null;
  rejection: string | null;
  duplicateOf: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

function snapshotText(v: unknown): { content: string | null; section: string | null } {
  if (!v || typeof v !== "object") return { content: null, section: null };
  const o = v as Record<string, unknown>;
  return { content: str(o.content), section: str(o.section) };
}

export function readChangeLog(log: ReadonlyArray<Record<string, unknown>>): LogEntry[] {
  return log.map((e) => {
    const before = Array.isArray(e.before)
      ? e.before.map((b) => snapshotText(b).content).filter(Boolean)
      : [];
    const after = snapshotText(e.after);
    return {
      op: str(e.op) ?? "?",
      applied: e.status !== "rejected",
      source: str(e.source) ?? "curator",
      bulletIds: Array.isArray(e.bulletIds)
        ? e.bulletIds.filter((x): x is string => typeof x === "string")
        : [],
      before: before.length > 0 ? before.join("\n") : null,
      after: after.content,
      section: after.section,
      reason: str(e.reason),
      rejection: str(e.rejection),
      duplicateOf: str(e.duplicateOf),
    };
  });
}

export const OP_LABELS: Record<string, string> = {
  ADD: "Added",
  UPDATE: "Updated",
  MERGE: "Merged",
  REMOVE: "Removed",
  TAG: "Tagged",
  PRUNE: "Pruned",
  INVALID: "Invalid",
};

export const ORIGIN_LABELS: Record<string, string> = {
  initial: "Created",
  evolution: "Evolution",
  manual: "Manual edit",
  restore: "Restore",
  starter_sync: "Starter update",
};
