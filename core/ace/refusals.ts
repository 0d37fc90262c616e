import type { ChangeEntry } from "./operations/types.ts";

/** Refused entries kept in a version's change log; the rest are counted in the summary only. */
export const MAX_LOGGED_REFUSALS = 200;
/** Refusals listed in a job's result. */
export const MAX_LISTED_REFUSALS = 50;

/** One refused operation as the job's result lists it. */
export interface Refusal {
  op: ChangeEntry["op"];
  source: ChangeEntry["source"];
  bullet_ids: string[];
  outcome_id: string | null;
  reason: string;
}

/** What an evolution refused, bounded in size: the first MAX_LISTED_REFUSALS, and a count. */
export interface RefusalLog {
  total: number;
  listed: Refusal[];
  /** Refusals counted in `total` but not listed. */
  omitted: number;
}

const MAX_IDS = 5;

/** The refusal log of a change log. */
export function refusalLog(log: readonly ChangeEntry[]): RefusalLog {
  const refused = log.filter((e) => e.status === "rejected");
  const listed = refused.slice(0, MAX_LISTED_REFUSALS).map((e) => ({
    op: e.op,
    source: e.source,
    bullet_ids: e.bulletIds.slice(0, MAX_IDS),
    outcome_id: e.outcomeId,
    reason: e.rejection ?? "refused",
  }));
  return { total: refused.length, listed, omitted: refused.length - listed.length };
}

/**
 * The change log to store: every applied entry, and the first MAX_LOGGED_REFUSALS refused ones
 * (each already bounded), in order. The summary line still counts all of them.
 */
export function boundChangeLog(log: readonly ChangeEntry[]): ChangeEntry[] {
  let refused = 0;
  return log.filter((e) => e.status === "applied" || ++refused <= MAX_LOGGED_REFUSALS);
}
