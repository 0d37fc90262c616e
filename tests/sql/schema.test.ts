import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

const Column = z.object({
  table_name: z.string(),
  column_name: z.string(),
  data_type: z.string(),
  udt_name: z.string(),
});

async function columns() {
  const rows = await db.pool.any(sql.type(Column)`
    select table_name, column_name, data_type, udt_name from information_schema.columns
    where table_schema = 'public'`);
  const map = new Map<string, string>();
  for (const r of rows)
    map.set(`${r.table_name}.${r.column_name}`, r.data_type === "USER-DEFINED" ? r.udt_name : r.data_type);
  return map;
}

describe("schema", () => {
  test("every product table exists with its columns and types", async () => {
    const cols = await columns();
    const expected: Record<string, string> = {
      "users.id": "uuid",
      "users.email": "text",
      "users.password_hash": "text",
      "refresh_tokens.family_id": "uuid",
      "refresh_tokens.token_hash": "text",
      "api_keys.key_hash": "text",
      "api_keys.key_prefix": "text",
      "api_keys.scopes": "jsonb",
      "api_keys.last_used_at": "timestamp with time zone",
      "api_keys.revoked_at": "timestamp with time zone",
      "playbooks.id": "uuid",
      "playbooks.user_id": "uuid",
      "playbooks.status": "playbook_status",
      "playbooks.source": "playbook_source",
      "playbooks.current_version_id": "uuid",
      "playbooks.metadata": "jsonb",
      "playbook_versions.version_number": "integer",
      "playbook_versions.content": "text",
      "playbook_versions.bullet_count": "integer",
      "playbook_versions.diff_summary": "text",
      "playbook_versions.created_by_job_id": "uuid",
      "playbook_versions.change_log": "jsonb",
      "outcomes.status": "outcome_status",
      "outcomes.task_description": "text",
      "outcomes.reasoning_trace": "text",
      "outcomes.bullets_used": "jsonb",
      "outcomes.reflection_data": "jsonb",
      "outcomes.processed_at": "timestamp with time zone",
      "outcomes.evolution_job_id": "uuid",
      "outcomes.metadata": "jsonb",
      "evolution_jobs.status": "evolution_status",
      "evolution_jobs.token_totals": "jsonb",
      "evolution_jobs.refusals": "jsonb",
      "evolution_jobs.outcomes_processed": "integer",
      "evolution_jobs.ace_core_version": "text",
      "evolution_jobs.error_message": "text",
      "evolution_jobs.attempts": "integer",
      "usage_records.cost_usd": "numeric",
      "usage_records.prompt_tokens": "integer",
      "usage_records.completion_tokens": "integer",
      "usage_records.operation": "text",
      "usage_records.model": "text",
      "rate_limit_buckets.counts": "ARRAY",
      "login_failures.locked_until": "timestamp with time zone",
    };
    for (const [column, type] of Object.entries(expected)) {
      expect({ column, type: cols.get(column) }).toEqual({ column, type });
    }
  });

  test("cost_usd is numeric(10,6) and enums have the product's values", async () => {
    const precision = await db.pool.one(sql.type(
      z.object({ numeric_precision: z.number(), numeric_scale: z.number() }),
    )`
      select numeric_precision, numeric_scale from information_schema.columns
      where table_name = 'usage_records' and column_name = 'cost_usd'`);
    expect(precision).toEqual({ numeric_precision: 10, numeric_scale: 6 });
    const labels = await db.pool.any(sql.type(z.object({ typname: z.string(), labels: z.array(z.string()) }))`
      select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid group by t.typname order by t.typname`);
    expect(Object.fromEntries(labels.map((l) => [l.typname, l.labels]))).toEqual({
      evolution_status: ["queued", "running", "completed", "failed"],
      outcome_status: ["success", "failure", "partial"],
      playbook_source: ["starter", "user_created", "imported"],
      playbook_status: ["active", "archived"],
    });
  });

  test("the required indexes exist", async () => {
    const indexes = await db.pool.anyFirst(sql.type(z.object({ indexdef: z.string() }))`
      select indexdef from pg_indexes where schemaname = 'public'`);
    const has = (pattern: RegExp) => indexes.some((d) => pattern.test(d));
    expect(has(/UNIQUE INDEX users_email_key ON public.users USING btree \(email\)/)).toBe(true);
    expect(has(/UNIQUE INDEX .* ON public.evolution_jobs .*\(playbook_id\) WHERE .*queued.*running/)).toBe(
      true,
    );
    expect(has(/ON public.outcomes USING btree \(playbook_id, processed_at\)/)).toBe(true);
    expect(has(/ON public.usage_records USING btree \(user_id, created_at\)/)).toBe(true);
    expect(
      has(/UNIQUE INDEX .* ON public.playbook_versions USING btree \(playbook_id, version_number\)/),
    ).toBe(true);
  });

  test("graphile-worker's schema is installed", async () => {
    const exists = await db.pool.oneFirst(sql.type(z.object({ ok: z.boolean() }))`
      select exists (
        select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'graphile_worker' and p.proname = 'add_job'
      ) as ok`);
    expect(exists).toBe(true);
  });
});

describe("constraints", () => {
  async function playbookWithOwner() {
    const userId = await db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into users (email, password_hash) values (${`u${crypto.randomUUID()}@example.com`}, 'x') returning id`);
    const playbookId = await db.pool.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into playbooks (user_id, name) values (${userId}, 'p') returning id`);
    return { userId, playbookId };
  }

  test("a second queued evolution job for one playbook is refused by the database", async () => {
    const { userId, playbookId } = await playbookWithOwner();
    await db.pool.query(
      sql.unsafe`insert into evolution_jobs (playbook_id, user_id, trigger) values (${playbookId}, ${userId}, 'manual')`,
    );
    const second = db.pool.query(
      sql.unsafe`insert into evolution_jobs (playbook_id, user_id, trigger) values (${playbookId}, ${userId}, 'threshold')`,
    );
    await expect(second).rejects.toThrow(/unique/i);
  });

  test("a finished job does not block a new one", async () => {
    const { userId, playbookId } = await playbookWithOwner();
    await db.pool.query(
      sql.unsafe`insert into evolution_jobs (playbook_id, user_id, trigger, status) values (${playbookId}, ${userId}, 'manual', 'completed')`,
    );
    await db.pool.query(
      sql.unsafe`insert into evolution_jobs (playbook_id, user_id, trigger) values (${playbookId}, ${userId}, 'manual')`,
    );
    const count = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*) as n from evolution_jobs where playbook_id = ${playbookId}`);
    expect(count).toBe(2);
  });

  test("emails are stored lower-cased and unique", async () => {
    await expect(
      db.pool.query(sql.unsafe`insert into users (email, password_hash) values ('Mixed@Example.com', 'x')`),
    ).rejects.toThrow(/check/i);
    await db.pool.query(sql.unsafe`insert into users (email, password_hash) values ('dup@example.com', 'x')`);
    await expect(
      db.pool.query(sql.unsafe`insert into users (email, password_hash) values ('dup@example.com', 'y')`),
    ).rejects.toThrow(/unique/i);
  });

  test("type parsers: counts are numbers, money is a string, timestamps are Dates", async () => {
    const row = await db.pool.one(sql.type(z.object({ n: z.number(), money: z.string(), at: z.date() }))`
      select count(*) as n, 1.5::numeric(10,6) as money, now() as at from users`);
    expect(row.money).toBe("1.500000");
    expect(typeof row.n).toBe("number");
  });

  test("rows that do not match the declared schema are rejected", async () => {
    await expect(db.pool.one(sql.type(z.object({ n: z.string() }))`select 1 as n`)).rejects.toThrow();
  });
});
