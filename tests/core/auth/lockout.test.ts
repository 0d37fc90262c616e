import { describe, expect, test } from "bun:test";
import { LOCKOUT } from "../../../core/auth/index.ts";
import { createTestDeps } from "../../support/core.ts";
import { useTestDatabase } from "../../support/db.ts";

const db = useTestDatabase();
const auth = () => createTestDeps(db.pool).core.auth;
const PASSWORD = "correct horse battery staple";
const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000);

async function attempt(email: string, password: string, seconds: number) {
  try {
    await auth().login({ email, password }, { now: at(seconds) });
    return { ok: true as const };
  } catch (error) {
    return {
      ok: false as const,
      code: (error as { code: string }).code,
      retry: (error as { retryAfterSeconds?: number }).retryAfterSeconds,
    };
  }
}

describe("account lockout", () => {
  test("grows exponentially with repeated failures and resets after a success", async () => {
    const email = "locked@example.com";
    await auth().register({ email, password: PASSWORD });
    let t = 0;
    for (let i = 0; i < LOCKOUT.freeFailures; i++)
      expect((await attempt(email, "wrong-password", t)).code).toBe("unauthenticated");
    // the next failure locks for 30 s, then 60 s, then 120 s
    const locks: number[] = [];
    for (let i = 0; i < 3; i++) {
      expect((await attempt(email, "wrong-password", t)).code).toBe("unauthenticated");
      const locked = await attempt(email, PASSWORD, t + 1); // even the right password waits
      expect(locked.code).toBe("rate_limited");
      locks.push(locked.retry! + 1);
      t += locked.retry! + 2;
    }
    expect(locks).toEqual([30, 60, 120]);
    expect((await attempt(email, PASSWORD, t)).ok).toBe(true);
    // after the success, the count starts again: five free failures
    for (let i = 0; i < LOCKOUT.freeFailures; i++)
      expect((await attempt(email, "wrong-password", t)).code).toBe("unauthenticated");
    expect((await attempt(email, PASSWORD, t)).ok).toBe(true);
  });

  test("an unknown email locks exactly like a real one (no enumeration)", async () => {
    const results = [];
    for (let i = 0; i <= LOCKOUT.freeFailures + 1; i++)
      results.push(await attempt("ghost@example.com", "wrong-password", 0));
    expect(results.at(-2)!.code).toBe("unauthenticated");
    expect(results.at(-1)).toEqual({ ok: false, code: "rate_limited", retry: 30 });
  });
});
