import type { ChangeEntry } from "./operations/types.ts";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * One-line summary of a change log, e.g. `+3 added, 1 updated, 1 merged, 2 removed`, followed by
 * refused near duplicates, budget pruning, counter tags and other refused ops when any.
 */
export function summarizeChanges(log: readonly ChangeEntry[]): string {
  const applied = log.filter((e) => e.status === "applied");
  const count = (op: ChangeEntry["op"]) => applied.filter((e) => e.op === op).length;
  const parts = [
    `+${count("ADD")} added`,
    `${count("UPDATE")} updated`,
    `${count("MERGE")} merged`,
    `${count("REMOVE")} removed`,
  ];
  const duplicates = log.filter((e) => e.status === "rejected" && e.duplicateOf !== null).length;
  const pruned = count("PRUNE");
  const tags = count("TAG");
  const rejected = log.length - applied.length - duplicates;
  if (duplicates) parts.push(plural(duplicates, "duplicate skipped", "duplicates skipped"));
  if (pruned) parts.push(`${pruned} pruned for the token budget`);
  if (tags) parts.push(plural(tags, "counter tag", "counter tags"));
  if (rejected) parts.push(`${rejected} rejected`);
  return parts.join(", ");
}
