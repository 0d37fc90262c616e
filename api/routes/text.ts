/** Whether the client asked for the playbook as text (`?format=text` or `Accept: text/markdown|text/plain`). */
export function wantsText(request: Request, query: Record<string, unknown>): boolean {
  if (query.format === "text") return true;
  const accept = request.headers.get("accept") ?? "";
  return /text\/(markdown|plain)/.test(accept) && !accept.includes("application/json");
}

/**
 * The playbook text as a download named after the playbook and version. Typed as the route's
 * JSON type `T` because Elysia sends a returned Response as-is, while the route's declared
 * response schema documents (and type-checks) the JSON form.
 */
export function textDownload<T>(
  content: string,
  name: string,
  version: number | null,
  headers: Record<string, string> = {},
): T {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "playbook";
  const response = new Response(content, {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="${slug}-v${version ?? 0}.md"`,
      ...headers,
    },
  });
  return response as T;
}

/**
 * Conditional GET (issue 13): agents fetch the same playbook before every task. The tag is a hash
 * of everything the answer shows (for text: the playbook, its version, its name and the sections
 * asked for; for JSON also its counters, status and evolutions), computed without building the
 * answer, so it changes exactly when the answer would; a version's content never changes.
 */
export function entityTag(parts: unknown[]): string {
  return `"${Bun.hash(JSON.stringify(parts)).toString(36)}"`;
}

/** Whether If-None-Match names `tag` (or is `*`): the client's copy is current. */
export function notModified(request: Request, tag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  return header
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === tag || t === "*");
}

/** The 304 answer: no body, the tag again. Typed as the route's JSON type like textDownload. */
export const notModifiedResponse = <T>(tag: string): T =>
  new Response(null, { status: 304, headers: { etag: tag } }) as T;
