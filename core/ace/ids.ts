import { sectionKey } from "./format.ts";
import type { LocatedBullet } from "./types.ts";

// At most 9 digits: numbers stay below Postgres' integer limit (max_bullet_number) and the
// allocator's count-up stays exact. An id with a longer number counts as unnumbered.
const NUMBERED_ID = /^(.*)-(\d{1,9})$/;
const ID_DIGITS = 5;
const STOP_WORDS = new Set(["and", "or", "the", "a", "an", "of", "to", "for", "in", "on", "with", "&"]);

/** The numeric part of an id like `shr-00042`, or null for ids without one. */
export function bulletNumber(id: string): number | null {
  const match = NUMBERED_ID.exec(id);
  return match ? Number(match[2]) : null;
}

/** Highest bullet number among the ids (0 when none is numbered). */
export function maxBulletNumber(ids: Iterable<string>): number {
  let max = 0;
  for (const id of ids) max = Math.max(max, bulletNumber(id) ?? 0);
  return max;
}

/**
 * Hands out ids `slug-NNNNN` whose number is above every number seen — across all prefixes and
 * above `floor` (pass the highest number in the playbook's history to never reuse a removed id).
 * Guarantees no collision with any id it was given or has issued.
 */
export class IdAllocator {
  private next: number;
  private readonly used: Set<string>;

  constructor(existing: Iterable<string>, floor = 0) {
    this.used = new Set(existing);
    this.next = Math.max(maxBulletNumber(this.used), floor) + 1;
  }

  /** The id `allocate(slug)` would hand out next, without taking it. */
  peek(slug: string): string {
    for (let n = this.next; ; n++) {
      const id = `${slug}-${String(n).padStart(ID_DIGITS, "0")}`;
      if (!this.used.has(id)) return id;
    }
  }

  allocate(slug: string): string {
    for (;;) {
      const id = `${slug}-${String(this.next).padStart(ID_DIGITS, "0")}`;
      this.next += 1;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
}

/** Slug from a section name's initials: `STRATEGIES AND HARD RULES` → `shr`. */
export function slugFromSectionName(name: string): string {
  const words = sectionKey(name)
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "" && !STOP_WORDS.has(word));
  const slug = words
    .map((word) => word[0])
    .join("")
    .slice(0, 4);
  return slug === "" ? "b" : slug;
}

/** The slug new bullets of a section get: the one most of its bullets use, else its initials. */
export function slugForSection(bullets: readonly LocatedBullet[], section: string): string {
  const key = sectionKey(section);
  const counts = new Map<string, number>();
  for (const bullet of bullets) {
    if (bullet.section === null || sectionKey(bullet.section) !== key) continue;
    const prefix = NUMBERED_ID.exec(bullet.id)?.[1];
    if (prefix && /^[a-z0-9-]+$/i.test(prefix)) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [prefix, count] of counts) if (best === null || count > (counts.get(best) ?? 0)) best = prefix;
  return best ?? slugFromSectionName(section);
}
