import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** Per-request facts known before Elysia runs: the request id and the client's address. */
export interface RequestContext {
  requestId: string;
  ip: string;
  /** The matched route template (`/v1/playbooks/:id`), once routing found one: the metrics label. */
  route?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-ID when it is a sane token, otherwise makes one. */
export function requestIdFrom(request: Request): string {
  const given = request.headers.get("x-request-id");
  return given && VALID_ID.test(given) ? given : randomUUID();
}

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Remembers the matched route template for this request's metrics. */
export function noteRoute(route: string | undefined): void {
  const context = storage.getStore();
  if (context && route) context.route = route;
}
