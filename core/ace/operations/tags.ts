import { previewValue } from "../clean.ts";
import type { Draft } from "../draft.ts";
import { addToCounter, MAX_COUNTER } from "../format.ts";
import { BulletTag, describeIssues } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

/** The tags of one outcome's reflection, and the bullets that reflection was shown. */
export interface OutcomeTags {
  outcomeId: string;
  tags: readonly unknown[];
  shown: ReadonlySet<string>;
}

type Checked =
  | { ok: true; id: string; tag: BulletTag["tag"] }
  | { ok: false; rejection: string; id?: string };

function check(draft: Draft, raw: unknown, shown: ReadonlySet<string>, tagged: Set<string>): Checked {
  const parsed = BulletTag.safeParse(raw);
  if (!parsed.success) return { ok: false, rejection: describeIssues(parsed.error) };
  const { id, tag } = parsed.data;
  const bullet = draft.get(id);
  if (!bullet) return { ok: false, id, rejection: `unknown bullet id ${id}` };
  if (!shown.has(id)) return { ok: false, id, rejection: `bullet ${id} was not shown to this reflection` };
  if (tagged.has(id))
    return { ok: false, id, rejection: `bullet ${id} was already tagged by this reflection` };
  tagged.add(id);
  const counter = tag === "helpful" ? bullet.helpful : tag === "harmful" ? bullet.harmful : 0;
  if (counter >= MAX_COUNTER)
    return { ok: false, id, rejection: `the ${tag} counter of ${id} is at its maximum` };
  return { ok: true, id, tag };
}

/**
 * Applies Reflector tags to counters: helpful +1, harmful +1, neutral nothing (and no log entry).
 * The only way counters move: at most one tag per bullet per reflection, only for bullets that
 * reflection was shown, counters capped at MAX_COUNTER. Malformed tags, unknown or unshown ids
 * and repeats are skipped and logged as rejected TAG entries. Never throws.
 */
export function applyTags(draft: Draft, batches: readonly OutcomeTags[]): ChangeEntry[] {
  const log: ChangeEntry[] = [];
  for (const { outcomeId, tags, shown } of batches) {
    const tagged = new Set<string>();
    const base = { op: "TAG", source: "reflector", outcomeId } as const;
    for (const raw of tags) {
      const checked = check(draft, raw, shown, tagged);
      if (!checked.ok) {
        const bulletIds = checked.id === undefined ? [] : [checked.id];
        const proposed = previewValue(raw);
        log.push(entry({ ...base, status: "rejected", bulletIds, rejection: checked.rejection, proposed }));
        continue;
      }
      const { id, tag } = checked;
      if (tag === "neutral") continue;
      const before = draft.snapshot(id);
      const bullet = draft.get(id)!;
      if (tag === "helpful") bullet.helpful = addToCounter(bullet.helpful, 1);
      else bullet.harmful = addToCounter(bullet.harmful, 1);
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
