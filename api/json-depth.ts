/**
 * How deep a JSON body may nest. No request of this API needs more than a handful of levels; 64
 * leaves room for any client's envelope while keeping every parser and validator far from its
 * recursion limits (a 100 KB body of `[[[…` once took 45 s to fail validation, with a 500).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * True when the JSON text in `bytes` (UTF-8) opens more than `max` arrays or objects at once.
 * One linear pass that skips string contents (escapes included), so brackets inside strings do
 * not count; it never parses, so it costs the same for valid and malformed text. UTF-8 is safe
 * to scan bytewise: no byte of a multi-byte sequence is ASCII.
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
