/**
 * The typed REST client of the dashboard: `schema.d.ts` is generated from the server's OpenAPI
 * document (`bun run api-types` in admin/), so svelte-check catches a wrong path or field.
 *
 * The middleware adds the in-memory access token; on a 401 it refreshes once through the cookie
 * and retries the request; when that fails too, it sends the person to sign in.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, apiErrorFrom } from "./errors.ts";
import type { paths } from "./schema.d.ts";
import { refresh, session, toSignIn } from "./session.svelte.ts";

/** Copies of outgoing requests (bodies are streams: a retry needs its own copy). */
const pending = new Map<string, Request>();

const auth: Middleware = {
  onRequest({ request, id }) {
    if (session.accessToken) request.headers.set("authorization", `Bearer ${session.accessToken}`);
    pending.set(id, request.clone());
    return request;
  },
  async onResponse({ response, id }) {
    const original = pending.get(id);
    pending.delete(id);
    if (response.status !== 401 || !original) return response;
    if (new URL(original.url).pathname.startsWith("/v1/auth/")) return response;
    if (!(await refresh())) {
      await toSignIn();
      return response;
    }
    original.headers.set("authorization", `Bearer ${session.accessToken}`);
    const retried = await fetch(original);
    if (retried.status === 401) await toSignIn();
    return retried;
  },
  onError({ id }) {
    pending.delete(id);
  },
};

export const api = createClient<paths>({ baseUrl: "/" });
api.use(auth);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or an ApiError carrying the API's own message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw apiErrorFrom(response, error);
  return data as T;
}

/**
 * For routes newer than the generated types (added on main after this build): same auth and
 * retry path, untyped. Regenerate the types and switch to `api` when they land.
 */
export async function raw<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const response = await fetchWithAuth(new Request(path, init));
  const parsed = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) throw apiErrorFrom(response, parsed);
  return parsed as T;
}

async function fetchWithAuth(request: Request): Promise<Response> {
  const copy = request.clone();
  if (session.accessToken) request.headers.set("authorization", `Bearer ${session.accessToken}`);
  const response = await fetch(request);
  if (response.status !== 401) return response;
  if (!(await refresh())) {
    await toSignIn();
    return response;
  }
  copy.headers.set("authorization", `Bearer ${session.accessToken}`);
  return fetch(copy);
}

export { ApiError };
