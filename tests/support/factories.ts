import { type DatabasePool, sql } from "slonik";
import { z } from "zod";
import type { Caller } from "../../core/auth/caller.ts";

/** A user row inserted directly (core tests don't need the HTTP sign-up flow), as a JWT-style caller. */
export async function createUser(
  pool: DatabasePool,
  email = `u-${crypto.randomUUID()}@example.com`,
): Promise<Caller> {
  const id = await pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into users (email, password_hash) values (${email.toLowerCase()}, 'not-a-real-hash') returning id`);
  return { userId: id, scopes: ["read", "write", "evolve"], via: "jwt", apiKeyId: null };
}

export const withScopes = (caller: Caller, scopes: Caller["scopes"]): Caller => ({
  ...caller,
  scopes,
  via: "api_key",
});

/** The AppError code a core call fails with, or "ok": for tables of expected refusals. */
export const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "ok",
    (error: { code?: string }) => error.code ?? "unknown",
  );
