import type { PasswordCosts as HashCosts } from "./settings.ts";

/** Password hashing with argon2id; the costs come from config (cheap in tests, strong in production). */

export function hashPassword(password: string, costs: HashCosts): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id", ...costs });
}

/** False for a wrong password or a malformed hash; never throws for bad input. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

const dummyHashes = new Map<string, Promise<string>>();

/**
 * Spends the same time as checking a real password, for logins with an unknown email, so response
 * timing does not reveal which emails have accounts.
 */
export async function burnPasswordCheck(password: string, costs: HashCosts): Promise<void> {
  const id = `${costs.memoryCost}:${costs.timeCost}`;
  let hash = dummyHashes.get(id);
  if (!hash) {
    hash = hashPassword("not-a-real-password", costs);
    dummyHashes.set(id, hash);
  }
  await verifyPassword(password, await hash);
}
