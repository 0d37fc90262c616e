import { type DatabasePool, sql } from "slonik";
import { z } from "zod";

/**
 * `--statements` for bench:rest and bench:mcp: the throwaway cluster starts with
 * pg_stat_statements (tests/support/cluster.ts reads ACE_PG_STAT_STATEMENTS), and the run ends
 * with the statements that took the database's time: calls, mean execution and planning time.
 * Both servers share the database, so the bare route's statements are listed too.
 */
export const WITH_STATEMENTS = Bun.argv.includes("--statements");
if (WITH_STATEMENTS) process.env.ACE_PG_STAT_STATEMENTS = "1";

export async function resetStatements(pool: DatabasePool): Promise<void> {
  if (!WITH_STATEMENTS) return;
  await pool.query(sql.unsafe`create extension if not exists pg_stat_statements`);
  await pool.query(sql.unsafe`select pg_stat_statements_reset()`);
}

const Statement = z.object({
  calls: z.number(),
  exec_us: z.number(),
  plan_us: z.number(),
  query: z.string(),
});

export async function printStatements(pool: DatabasePool, top = 12): Promise<void> {
  if (!WITH_STATEMENTS) return;
  const rows = await pool.any(sql.type(Statement)`
    select calls, (total_exec_time / calls * 1000)::float8 as exec_us,
      (total_plan_time / greatest(calls, 1) * 1000)::float8 as plan_us,
      left(regexp_replace(query, '\\s+', ' ', 'g'), 100) as query
    from pg_stat_statements where calls >= 100 and toplevel
    order by total_exec_time + total_plan_time desc limit ${top}`);
  console.log("\n| calls | exec µs | plan µs | statement |\n|---:|---:|---:|---|");
  for (const r of rows) {
    console.log(
      `| ${r.calls} | ${r.exec_us.toFixed(0)} | ${r.plan_us.toFixed(0)} | \`${r.query.replaceAll("|", "\\|")}\` |`,
    );
  }
}
