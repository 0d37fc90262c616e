import { AppError } from "./errors.ts";

// Postgres stores neither NUL in text nor unpaired UTF-16 surrogates: the first is refused, the
// second silently becomes U+FFFD, which can make two different values (idempotency keys!) equal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path (e.g. `bullets_used.2`) of the first string in `value` Postgres cannot store, or null. */
export function findUnstorableText(value: unknown, path = ""): string | null {
  if (typeof value === "string") return UNSTORABLE.test(value) ? path || "body" : null;
  if (value === null || typeof value !== "object") return null;
  for (const [key, item] of Object.entries(value)) {
    const found = findUnstorableText(item, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/** Throws `invalid_input` naming the field when any string in `value` cannot be stored. */
export function assertStorableText(value: unknown): void {
  const field = findUnstorableText(value);
  if (field === null) return;
  throw new AppError(
    "invalid_input",
    `${field} contains a character that cannot be stored (NUL \\u0000 or an unpaired surrogate such as \\ud800). Remove it and try again.`,
    { details: { field } },
  );
}
