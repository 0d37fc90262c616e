import curatorSystem from "./curator.md" with { type: "text" };
import curatorInput from "./curator-input.md" with { type: "text" };
import reflectorSystem from "./reflector.md" with { type: "text" };
import reflectorInput from "./reflector-input.md" with { type: "text" };

export const PROMPTS = { reflectorSystem, reflectorInput, curatorSystem, curatorInput } as const;

/**
 * Fills `{{name}}` placeholders in one pass, so a value that itself contains `{{…}}` (agent data)
 * is never expanded. Unknown placeholders are left as written.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (match, name: string) => values[name] ?? match);
}

/**
 * Wraps untrusted text between markers the system prompts tell the model to treat as data. Marker
 * look-alikes inside the text are defused so the data cannot close its own block.
 */
export function dataBlock(label: string, text: string): string {
  const safe = text.replace(/<<</g, "‹‹‹").replace(/>>>/g, "›››");
  return `<<<BEGIN ${label}>>>\n${safe}\n<<<END ${label}>>>`;
}

/** Keeps the head and tail of an over-long text, marking how much of the middle was elided. */
export function elide(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.floor(maxChars * 0.6);
  const tail = maxChars - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${omitted} characters omitted …]\n${text.slice(text.length - tail)}`;
}
