/**
 * Reads playbook text (the ACE format: `## SECTION` headers, `[id] helpful=N harmful=M :: text`
 * bullets) into sections for display. Display only: the server validates and stores the text.
 */
export type Bullet = { id: string; helpful: number; harmful: number; content: string };
export type Section = { name: string; bullets: Bullet[]; notes: string[] };

const SECTION = /^##[ \t]+(.*\S)[ \t]*$/;
const BULLET = /^\[([A-Za-z0-9][A-Za-z0-9_.:-]*)\][ \t]+(.*)$/;
const COUNTERS = /^helpful=(\d{1,9})[ \t]+harmful=(\d{1,9})[ \t]*::[ \t]?(.*)$/;

export function parseSections(content: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const raw of content.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    const header = SECTION.exec(raw);
    if (header) {
      current = { name: header[1] ?? "", bullets: [], notes: [] };
      sections.push(current);
      continue;
    }
    if (!raw.trim()) continue;
    current ??= sections[sections.push({ name: "", bullets: [], notes: [] }) - 1];
    const bullet = BULLET.exec(raw);
    if (!bullet) {
      current!.notes.push(raw);
      continue;
    }
    const rest = bullet[2] ?? "";
    const counters = COUNTERS.exec(rest);
    current!.bullets.push({
      id: bullet[1] ?? "",
      helpful: counters ? Number(counters[1]) : 0,
      harmful: counters ? Number(counters[2]) : 0,
      content: (counters ? (counters[3] ?? "") : rest).trim(),
    });
  }
  return sections;
}

/** A section's anchor id (stable, URL-safe). */
export const sectionAnchor = (name: string, index: number) =>
  `section-${index}-${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}`;
