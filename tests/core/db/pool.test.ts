import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { createDbPool } from "../../../core/db/pool.ts";
import { useTestDatabase } from "../../support/db.ts";

const db = useTestDatabase();
const One = z.object({ n: z.number() });

describe("createDbPool: what a connection keeps when it goes back to the pool", () => {
  test("a resetting pool forgets session locks and settings, but keeps prepared statements", async () => {
    const pool = await createDbPool(db.url, { maxPoolSize: 1 }); // one connection: each query reuses it
    try {
      await pool.connect(async (connection) => {
        await connection.query(sql.unsafe`select pg_advisory_lock(4242)`);
        await connection.query(sql.unsafe`select set_config('lock_timeout', '1234ms', false)`);
      });
      const locks = await pool.oneFirst(sql.type(One)`
        select count(*)::int as n from pg_locks
        where locktype = 'advisory' and objid = 4242 and pid = pg_backend_pid()`);
      expect(locks).toBe(0);
      expect(
        await pool.oneFirst(
          sql.type(z.object({ t: z.string() }))`select current_setting('lock_timeout') as t`,
        ),
      ).toBe("0");
      // node-postgres prepares a named statement once per connection and then only binds it:
      // a reset that deallocated it (DISCARD ALL) would fail the second run.
      for (let i = 0; i < 3; i++) {
        expect(await pool.oneFirst(sql.prepared("pool_test_prepared", One)`select ${i}::int as n`)).toBe(i);
      }
    } finally {
      await pool.end();
    }
  });

  test("the API's pool (no reset) keeps prepared statements too", async () => {
    const pool = await createDbPool(db.url, { maxPoolSize: 1, resetOnRelease: false });
    try {
      for (let i = 0; i < 3; i++) {
        expect(await pool.oneFirst(sql.prepared("pool_test_prepared", One)`select ${i}::int as n`)).toBe(i);
      }
    } finally {
      await pool.end();
    }
  });
});
