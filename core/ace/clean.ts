/**
 * The one cleaning step for text a model writes (Reflector and Curator replies). Every such field
 * passes through here before it is applied, logged, stored or put into the next prompt: see
 * docs/ENGINE_INVARIANTS.md.
 */

/** Length limits (UTF-16 code units) of model-written fields other than bullet content. */
export const TEXT_LIMITS = Object.freeze({
  /** A section name: longer ones are refused, never cut (a cut name could land in another section). */
  sectionChars: 100,
  /** A bullet id named by a model: longer ones are refused (real ids are ~10 characters). */
  idChars: 64,
  /** An operation's `reason`: cut with an ellipsis. */
  reasonChars: 500,
  /** Each of a reflection's diagnosis fields (cut). */
  reflectionChars: 2_000,
  /** A reflection's free `reasoning` (cut). */
  reasoningChars: 4_000,
  /** Any string inside a refused proposal kept in the change log (cut). */
  previewChars: 500,
});

// Line breaks other tools split lines on: CR, LF, VT, FF, NEL (U+0085), LS (U+2028), PS (U+2029).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LINE_BREAKS = /[ \t]*[\r\n\u000b\u000c\u0085\u2028\u2029]+[ \t]*/g;
// C0 controls (tab and line breaks are handled above), DEL, C1 controls, bidirectional overrides
// and isolates (they reorder what a reader sees), the BOM and the two noncharacters U+FFFE/U+FFFF.
const CONTROLS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff]/g;
// Unpaired UTF-16 surrogates: Postgres cannot store them (jsonb refuses them, text mangles them).
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * One clean line: unpaired surrogates and control characters dropped, every line break (with the
 * spaces around it) and tab folded to one space, surrounding space trimmed. Never throws.
 */
export function cleanLine(text: string): string {
  return text
    .replace(LONE_SURROGATES, "")
    .replace(CONTROLS, "")
    .replace(LINE_BREAKS, " ")
    .replace(/\t/g, " ")
    .trim();
}

/** Cuts text to at most `max` code units, ending in "…", never between the halves of a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** `cleanLine` then `clip`: for prose fields that are shown and stored but never applied. */
export const cleanField = (text: string, max: number): string => clip(cleanLine(text), max);

const PREVIEW_ITEMS = 10;
const PREVIEW_DEPTH = 3;

/**
 * A bounded, storable copy of a refused proposal for the change log: strings cleaned and cut,
 * arrays and objects cut to their first 10 entries (a note says how many more), nesting to 3
 * levels. A proposal that is already small and clean comes back equal. Never throws.
 */
export function previewValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return cleanField(value, TEXT_LIMITS.previewChars);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean" || value === null) return value;
  if (typeof value !== "object") return null;
  if (depth >= PREVIEW_DEPTH) return "[…]";
  if (Array.isArray(value)) {
    const items = value.slice(0, PREVIEW_ITEMS).map((item) => previewValue(item, depth + 1));
    if (value.length > PREVIEW_ITEMS) items.push(`… ${value.length - PREVIEW_ITEMS} more`);
    return items;
  }
  const entries = Object.entries(value);
  const kept = entries
    .slice(0, PREVIEW_ITEMS)
    .map(([key, item]) => [cleanField(key, TEXT_LIMITS.idChars), previewValue(item, depth + 1)]);
  if (entries.length > PREVIEW_ITEMS) kept.push(["…", `${entries.length - PREVIEW_ITEMS} more fields`]);
  return Object.fromEntries(kept);
}
