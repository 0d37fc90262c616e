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
export function textDownload<T>(content: string, name: string, version: number | null): T {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "playbook";
  const response = new Response(content, {
    headers: {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `attachment; filename="${slug}-v${version ?? 0}.md"`,
    },
  });
  return response as T;
}
