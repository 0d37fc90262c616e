/**
 * The one rule for which request bodies are JSON (RFC 9110 §8.3.1, RFC 6839 §3.1): the type and
 * subtype compare case-insensitively, parameters may follow, and any `+json` structured-syntax
 * suffix is JSON. A `charset`, when given, must be UTF-8: RFC 8259 §8.1 allows nothing else.
 */

/** What every JSON body is relabelled as before the framework sees it (its parser matches exactly). */
export const CANONICAL_JSON = "application/json";

export type BodyType = "json" | "not_utf8" | "other";

/** Classifies a Content-Type header value. */
export function bodyTypeOf(contentType: string | null): BodyType {
  if (!contentType) return "other";
  const [essence = "", ...parameters] = contentType.split(";");
  const type = essence.trim().toLowerCase();
  const slash = type.indexOf("/");
  const subtype = slash > 0 ? type.slice(slash + 1) : "";
  const isJson = type.startsWith("application/") && (subtype === "json" || subtype.endsWith("+json"));
  if (!isJson) return "other";
  const charset = parameters
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith("charset="))
    ?.slice("charset=".length)
    .replaceAll('"', "");
  return charset === undefined || charset === "utf-8" || charset === "utf8" ? "json" : "not_utf8";
}

export const isJsonMediaType = (contentType: string | null): boolean => bodyTypeOf(contentType) === "json";
