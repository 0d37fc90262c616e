import type { Bullet, LocatedBullet, Playbook, PlaybookLine } from "./types.ts";

// Ids: a slug and a number in the ACE repos, but any token without spaces or brackets is accepted.
export const BULLET_LINE = /^\[([A-Za-z0-9][A-Za-z0-9_.:-]*)\][ \t]+(.*)$/;
// Counters up to 9 digits stay exact integers everywhere (JS numbers, Postgres integer); a longer
// one leaves the line unparsed as counters, which the validator reports as malformed.
const COUNTERS = /^helpful=(\d{1,9})[ \t]+harmful=(\d{1,9})[ \t]*::[ \t]?(.*)$/;
const SECTION_LINE = /^##[ \t]+(.*\S)[ \t]*$/;

/** Parses one bullet line, or returns null when the line is not a bullet. */
export function parseBulletLine(line: string): Bullet | null {
  const match = BULLET_LINE.exec(line);
  if (!match) return null;
  const [, id = "", rest = ""] = match;
  const counters = COUNTERS.exec(rest);
  if (!counters) return { id, helpful: 0, harmful: 0, content: rest.trim(), plain: true };
  return {
    id,
    helpful: Number(counters[1]),
    harmful: Number(counters[2]),
    content: (counters[3] ?? "").trim(),
    plain: false,
  };
}

/**
 * Parses playbook text into lines without losing anything: headers and bullets are recognised,
 * every other line is kept verbatim. Never throws; `validatePlaybookText` reports format problems.
 * CRLF line endings are read as LF.
 */
export function parsePlaybook(content: string): Playbook {
  const lines: PlaybookLine[] = [];
  const raw = content.includes("\r\n") ? content.replace(/\r\n/g, "\n") : content;
  raw.split("\n").forEach((text, index) => {
    // A byte-order mark (files saved by some editors) must not hide the first header; section
    // lines keep their raw text, so it survives the round trip.
    const bare = index === 0 && text.startsWith("\uFEFF") ? text.slice(1) : text;
    const section = SECTION_LINE.exec(bare);
    if (section) {
      lines.push({ kind: "section", text, name: section[1] ?? "" });
      return;
    }
    const bullet = bare.startsWith("[") ? parseBulletLine(bare) : null;
    lines.push(bullet ? { kind: "bullet", bullet } : { kind: "text", text });
  });
  return { lines };
}

/** Largest counter value: 9 digits, the most the format (and so the validator) accepts. */
export const MAX_COUNTER = 999_999_999;

/** Adds to a counter, saturating at MAX_COUNTER so the rendered text always validates. */
export const addToCounter = (counter: number, amount: number): number =>
  Math.min(MAX_COUNTER, counter + amount);

// Content that starts like counters. Written without counters, `[id] helpful=99 harmful=0 :: x`
// would re-parse with forged counters (or, past 9 digits, as malformed): such a bullet is always
// written with its real counters in front, so its content stays content.
const COUNTER_LOOKALIKE = /^(helpful|harmful)=/;

/**
 * Canonical text of one bullet. Counter-less bullets stay counter-less until a counter moves,
 * unless their content starts like counters (see COUNTER_LOOKALIKE).
 */
export function renderBullet(bullet: Bullet, forceCounters = false): string {
  const plain = bullet.plain && !forceCounters && bullet.helpful === 0 && bullet.harmful === 0;
  if (plain && !COUNTER_LOOKALIKE.test(bullet.content)) {
    return `[${bullet.id}] ${bullet.content}`;
  }
  return `[${bullet.id}] helpful=${bullet.helpful} harmful=${bullet.harmful} :: ${bullet.content}`;
}

/**
 * Renders a playbook back to text. `parsePlaybook` then `renderPlaybook` is the identity for
 * canonical text; non-canonical bullet spacing is normalised. `withCounters` shows every counter
 * (for prompts), which changes counter-less bullets.
 */
export function renderPlaybook(playbook: Playbook, options: { withCounters?: boolean } = {}): string {
  const out: string[] = [];
  for (const line of playbook.lines) {
    out.push(line.kind === "bullet" ? renderBullet(line.bullet, options.withCounters) : line.text);
  }
  return out.join("\n");
}

/**
 * Normalised section key: case, surrounding space, `#` and a trailing `:` do not matter.
 * Upper- then lower-casing folds letters whose capitals differ in length ("ß" → "SS" → "ss"),
 * so a header written upper-case ("STRASSE") matches the name it came from ("Straße").
 */
export function sectionKey(name: string): string {
  return name
    .replace(/^#+/, "")
    .trim()
    .replace(/:$/, "")
    .trim()
    .replace(/\s+/g, " ")
    .toUpperCase()
    .toLowerCase();
}

/** Every bullet in order with its section name. */
export function listBullets(playbook: Playbook): LocatedBullet[] {
  const result: LocatedBullet[] = [];
  let section: string | null = null;
  for (const line of playbook.lines) {
    if (line.kind === "section") section = line.name;
    else if (line.kind === "bullet") result.push({ ...line.bullet, section });
  }
  return result;
}
