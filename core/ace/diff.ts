import { listBullets, parsePlaybook, sectionKey } from "./format.ts";
import type { LocatedBullet } from "./types.ts";

export interface BulletDiff {
  added: string[];
  /** Same id, different content, counters or section. */
  changed: string[];
  removed: string[];
}

const same = (a: LocatedBullet, b: LocatedBullet): boolean =>
  a.content === b.content &&
  a.helpful === b.helpful &&
  a.harmful === b.harmful &&
  sectionKey(a.section ?? "") === sectionKey(b.section ?? "");

/** Bullet-level diff of two playbook texts by id, each list in document order. Never throws. */
export function diffBullets(before: string, after: string): BulletDiff {
  const old = new Map(listBullets(parsePlaybook(before)).map((b) => [b.id, b]));
  const next = listBullets(parsePlaybook(after));
  const nextIds = new Set(next.map((b) => b.id));
  const added: string[] = [];
  const changed: string[] = [];
  for (const bullet of next) {
    const previous = old.get(bullet.id);
    if (!previous) added.push(bullet.id);
    else if (!same(previous, bullet)) changed.push(bullet.id);
  }
  const removed = [...old.keys()].filter((id) => !nextIds.has(id));
  return { added, changed, removed };
}
