import type { DatabasePool } from "slonik";
import { isAppError } from "../errors.ts";
import { enforceRateLimit, type RateRule, rateKeys } from "../rate-limit/index.ts";
import type { Caller } from "./caller.ts";
import type { Credentials } from "./resolve-caller.ts";

/**
 * A request refused for its form before any route ran (a body nested too deep) costs its sender
 * what a sign-in attempt costs, unless it carries valid credentials: without an account such
 * requests are not free, and once an address has spent its sign-in budget
 * (RATE_LIMIT_LOGIN_PER_MINUTE) it gets 429s, for sign-ins too. Signed-in callers are not
 * counted (a buggy client must not lock its office out of signing in). Throws `rate_limited`
 * when the address is over its budget; `ip` null (unknown) is not counted.
 */
export async function chargeRefusedRequest(
  pool: DatabasePool,
  rule: RateRule,
  resolve: (credentials: Credentials) => Promise<Caller>,
  credentials: Credentials,
  ip: string | null,
): Promise<void> {
  if (await authenticates(resolve, credentials)) return;
  if (!ip) return;
  await enforceRateLimit(pool, rateKeys.loginIp(ip), rule, {
    what: "sign-in attempts and refused requests from this address",
  });
}

async function authenticates(
  resolve: (credentials: Credentials) => Promise<Caller>,
  credentials: Credentials,
): Promise<boolean> {
  if (!credentials.authorization && !credentials.apiKey) return false;
  try {
    await resolve(credentials);
    return true;
  } catch (error) {
    if (isAppError(error) && error.code === "unauthenticated") return false;
    throw error;
  }
}
