import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** Per-request facts known before Elysia runs: the request id and the client's address. */
export interface RequestContext {
  requestId: string;
  ip: string;
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
