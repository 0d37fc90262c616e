import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { pruneExpiredState } from "../../core/maintenance.ts";
import { useTestDatabase } from "../support/db.ts";
import { createUser } from "../support/factories.ts";

const db = useTestDatabase();
const RETENTION = { outcomeTraceDays: 90, auditEventDays: 365 };
const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString();

describe("pruneExpiredState", () => {
  test("drops idle buckets, stale login failures and long-expired refresh tokens, keeps the rest", async () => {
    const user = await createUser(db.pool);
    await db.pool.query(sql.unsafe`
      insert into rate_limit_buckets (key, updated_at) values ('old', ${ago(48)}), ('fresh', ${ago(1)})`);
    await db.pool.query(sql.unsafe`
      insert into login_failures (key, failures, locked_until, last_failure_at) values
        ('stale', 3, null, ${ago(48)}), ('locked', 9, ${ago(-1)}, ${ago(48)}), ('recent', 2, null, ${ago(1)})`);
    await db.pool.query(sql.unsafe`
      insert into refresh_tokens (user_id, family_id, token_hash, expires_at) values
        (${user.userId}, gen_random_uuid(), 'expired', ${ago(48)}), (${user.userId}, gen_random_uuid(), 'valid', ${ago(-24)})`);
    expect(await pruneExpiredState(db.pool, RETENTION)).toEqual({
      buckets: 1,
      loginFailures: 1,
      refreshTokens: 1,
      failedQueueJobs: 0,
      outcomeTraces: 0,
      auditEvents: 0,
    });
    const keys = await db.pool.anyFirst(sql.type(z.object({ key: z.string() }))`
      select key from rate_limit_buckets union all select key from login_failures order by 1`);
    expect(keys).toEqual(["fresh", "locked", "recent"]);
  });
});
