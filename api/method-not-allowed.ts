export type RouteList = () => ReadonlyArray<{ method: string; path: string }>;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `/v1/playbooks/:id` → a pattern matching that path with any one segment for `:id`. */
const pathPattern = (path: string) =>
  new RegExp(
    `^${path
      .split("/")
      .map((segment) => (segment.startsWith(":") ? "[^/]+" : escapeRegExp(segment)))
      .join("/")}/?$`,
  );

/**
 * The methods a path is served with (empty when no route has that path): what turns a 404 for
 * `PATCH /v1/playbooks` into a 405 with `Allow`. Built on first use, when every route exists.
 */
export function allowedMethods(routes: RouteList): (path: string) => string[] {
  let table: { pattern: RegExp; method: string }[] | undefined;
  return (path) => {
    table ??= routes()
      .filter((r) => r.method !== "ALL")
      .map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
    const methods = new Set(table.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
