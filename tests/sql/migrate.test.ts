import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "../../boot/migrate.ts";
import { MigrationError, readMigrationFiles } from "../../core/db/migrate.ts";
import { createEmptyDatabase } from "../support/cluster.ts";

const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const drop of drops.splice(0)) await drop();
});

async function emptyDb() {
  const db = await createEmptyDatabase();
  drops.push(db.drop);
  return db.url;
}

async function snapshot(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `select table_schema, table_name, column_name, data_type from information_schema.columns
     where table_schema in ('public', 'graphile_worker') order by 1, 2, 3`,
  );
  const ledger = await client.query("select name, checksum, applied_at from schema_migrations order by name");
  await client.end();
  return { columns: rows, ledger: ledger.rows };
}

function tempSqlDir(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), "ace-sql-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("migrate", () => {
  test("applies every file on an empty database, then migrating again changes nothing", async () => {
    const url = await emptyDb();
    const first = await migrate(url);
    expect(first).toEqual(readMigrationFiles().map((f) => f.name));
    const before = await snapshot(url);
    expect(await migrate(url)).toEqual([]);
    expect(await snapshot(url)).toEqual(before);
  });

  test("refuses to run when an applied migration was edited", async () => {
    const url = await emptyDb();
    const dir = tempSqlDir({ "0001_a.sql": "create table a (id int);" });
    await migrate(url, readMigrationFiles(dir));
    writeFileSync(path.join(dir, "0001_a.sql"), "create table a (id bigint);");
    const error = await migrate(url, readMigrationFiles(dir)).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain("0001_a.sql was edited");
  });

  test("a failing migration rolls back entirely and is not recorded", async () => {
    const url = await emptyDb();
    const dir = tempSqlDir({
      "0001_ok.sql": "create table ok (id int);",
      "0002_bad.sql": "create table b (id int); select nope;",
    });
    const error = await migrate(url, readMigrationFiles(dir)).catch((e) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.message).toContain("0002_bad.sql");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query("select to_regclass('b') as b, to_regclass('ok') as ok");
    const ledger = await client.query("select name from schema_migrations");
    await client.end();
    expect(tables.rows[0]).toEqual({ b: null, ok: "ok" });
    expect(ledger.rows.map((r) => r.name)).toEqual(["0001_ok.sql"]);
  });

  test("concurrent runs serialise: each file is applied once", async () => {
    const url = await emptyDb();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    const applied = results.flat();
    expect(applied.sort()).toEqual(
      readMigrationFiles()
        .map((f) => f.name)
        .sort(),
    );
  });
});
