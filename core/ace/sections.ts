import { parsePlaybook, sectionKey } from "./format.ts";

/**
 * The text of one section (its header and every line up to the next header), matched by name
 * case-insensitively and ignoring a trailing `:`. Trailing blank lines are dropped. Returns null
 * when no section has that name.
 */
export function filterSection(content: string, name: string): string | null {
  const key = sectionKey(name);
  const lines = parsePlaybook(content).lines;
  const start = lines.findIndex((line) => line.kind === "section" && sectionKey(line.name) === key);
  if (start === -1) return null;
  let end = lines.findIndex((line, index) => index > start && line.kind === "section");
  if (end === -1) end = lines.length;
  const raw = content.replace(/\r\n/g, "\n").split("\n").slice(start, end);
  while (raw.length > 1 && raw[raw.length - 1]?.trim() === "") raw.pop();
  return raw.join("\n");
}

/** Names of the sections in order, as written. */
export function sectionNames(content: string): string[] {
  const names: string[] = [];
  for (const line of parsePlaybook(content).lines) if (line.kind === "section") names.push(line.name);
  return names;
}
