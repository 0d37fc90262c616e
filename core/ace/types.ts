/** One bullet: `[id] helpful=N harmful=N :: content`, or `[id] content` (AppWorld, counters 0). */
export interface Bullet {
  id: string;
  helpful: number;
  harmful: number;
  /** Always one line. */
  content: string;
  /** Written without counters in the source; rendered that way while both counters stay 0. */
  plain: boolean;
}

/** A line of playbook text. Anything that is neither a header nor a bullet is kept verbatim. */
export type PlaybookLine =
  | { kind: "text"; text: string }
  | { kind: "section"; text: string; name: string }
  | { kind: "bullet"; bullet: Bullet };

/** Parsed playbook: the lines in order, so rendering puts every free-text line back where it was. */
export interface Playbook {
  lines: PlaybookLine[];
}

/** A bullet plus the section it sits in (null before the first `##` header). */
export interface LocatedBullet extends Bullet {
  section: string | null;
}

/** A bullet's state at one moment, as kept in the change log. */
export interface BulletSnapshot {
  id: string;
  section: string | null;
  helpful: number;
  harmful: number;
  content: string;
}
