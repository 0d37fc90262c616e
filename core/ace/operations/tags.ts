import type { Draft } from "../draft.ts";
import { BulletTag, describeIssues } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

/** The tags of one outcome's reflection. */
export interface OutcomeTags {
  outcomeId: string;
  tags: readonly unknown[];
}

/**
 * Applies reflector tags to counters: helpful +1, harmful +1, neutral nothing (and no log entry).
 * Unknown ids and malformed tags are skipped and logged as rejected TAG entries. Never throws.
 */
export function applyTags(draft: Draft, batches: readonly OutcomeTags[]): ChangeEntry[] {
  const log: ChangeEntry[] = [];
  for (const { outcomeId, tags } of batches) {
    for (const raw of tags) {
      const parsed = BulletTag.safeParse(raw);
      const base = { op: "TAG", source: "reflector", outcomeId } as const;
      if (!parsed.success) {
        log.push(
          entry({ ...base, status: "rejected", rejection: describeIssues(parsed.error), proposed: raw }),
        );
        continue;
      }
      const { id, tag } = parsed.data;
      const bullet = draft.get(id);
      if (!bullet) {
        log.push(
          entry({
            ...base,
            status: "rejected",
            bulletIds: [id],
            rejection: `unknown bullet id ${id}`,
            proposed: raw,
          }),
        );
        continue;
      }
      if (tag === "neutral") continue;
      const before = draft.snapshot(id);
      if (tag === "helpful") bullet.helpful += 1;
      else bullet.harmful += 1;
      log.push(
        entry({
          ...base,
          status: "applied",
          bulletIds: [id],
          before: [before],
          after: draft.snapshot(id),
          reason: tag,
        }),
      );
    }
  }
  return log;
}
