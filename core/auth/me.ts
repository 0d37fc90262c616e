import type { DatabasePool } from "slonik";
import { AppError } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { findUserById } from "./queries.ts";
import type { Me } from "./schemas.ts";
import { toUser } from "./session.ts";

/**
 * The caller's account and how it authenticated. Throws `unauthenticated` if the account was
 * deleted after the token was issued.
 */
export async function getCurrentUser(pool: DatabasePool, caller: Caller): Promise<Me> {
  const row = await findUserById(pool, caller.userId);
  if (!row) throw new AppError("unauthenticated", "This account no longer exists.");
  return {
    ...toUser(row),
    auth: { via: caller.via, scopes: [...caller.scopes], api_key_id: caller.apiKeyId },
  };
}
