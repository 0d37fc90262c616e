import { AppError } from "../core/errors.ts";
import { errorResponse, httpStatus } from "./errors.ts";

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

/**
 * The one 405 answer: status from the REST mapping and `Allow` listing the methods the path
 * serves. The body is the error envelope, or, where clients speak JSON-RPC (/mcp), a JSON-RPC
 * error carrying `jsonRpcMessage` so MCP clients can show it.
 */
export function methodNotAllowed(
  request: Request,
  allow: readonly string[],
  requestId: string,
  jsonRpcMessage?: string,
): Response {
  const error = new AppError(
    "method_not_allowed",
    `${request.method} is not supported here; use ${allow.join(", ")}.`,
  );
  const headers = { allow: allow.join(", ") };
  if (jsonRpcMessage === undefined) return errorResponse(error, requestId, headers);
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32000, message: jsonRpcMessage }, id: null },
    { status: httpStatus(error), headers },
  );
}
