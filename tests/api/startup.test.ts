import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { useTestDatabase } from "../support/db.ts";
import { startPlatform } from "../support/process.ts";

const db = useTestDatabase();
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function failsWith(env: Record<string, string>) {
  const run = startPlatform({ JWT_SECRET_KEY: "s".repeat(40), ...env });
  const [code, stderr] = await Promise.all([run.proc.exited, run.stderr()]);
  expect(code).toBe(1);
  expect(stderr).not.toMatch(/^\s+at /m); // an explanation, not a stack trace
  expect(stderr.split("\n").length).toBeLessThan(25);
  return stderr;
}

describe("start-up refuses bad configuration with a one-screen explanation", () => {
  test("billing enabled without Stripe keys, and other problems, all listed", async () => {
    const stderr = await failsWith({ BILLING_ENABLED: "true", PORT: "-1" });
    expect(stderr).toContain("ACE Platform could not start.");
    expect(stderr).toContain("STRIPE_SECRET_KEY is required when BILLING_ENABLED=true");
    expect(stderr).toContain("STRIPE_WEBHOOK_SECRET is required when BILLING_ENABLED=true");
    expect(stderr).toContain("PORT must be at least 0");
  }, 30_000);

  test("a malformed DATABASE_URL", async () => {
    const stderr = await failsWith({ DATABASE_URL: "not a url" });
    expect(stderr).toContain("DATABASE_URL must be a URL like postgres://");
  }, 30_000);

  test("an unreachable database", async () => {
    const stderr = await failsWith({ DATABASE_URL: "postgres://ace:secret@127.0.0.1:1/ace" });
    expect(stderr).toContain("cannot reach the database at 127.0.0.1:1/ace: connection refused");
    expect(stderr).not.toContain("secret");
  }, 30_000);

  test("an unknown role", async () => {
    const run = startPlatform({ DATABASE_URL: db.url }, ["--role=everything"]);
    expect(await run.proc.exited).toBe(1);
    expect(await run.stderr()).toContain("Unknown --role=everything");
  }, 30_000);
});

describe("bun run start", () => {
  test("with DATABASE_URL: serves /ready, then shuts down cleanly on SIGTERM", async () => {
    const run = startPlatform({ DATABASE_URL: db.url, PORT: "0", JWT_SECRET_KEY: "s".repeat(40) });
    const ready = await run.waitFor("ready");
    expect(ready.embedded_db).toBe(false);
    const response = await fetch(`${ready.url}/ready`);
    expect(response.status).toBe(200);
    expect((await response.json()).checks).toEqual({ database: true, migrations: true, worker: true });
    run.proc.kill("SIGTERM");
    expect(await run.proc.exited).toBe(0);
    expect(run.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  }, 60_000);

  test("without DATABASE_URL: starts an embedded Postgres, reuses it, and stops it on SIGINT", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ace-start-"));
    tempDirs.push(dataDir);
    for (const round of ["cold", "warm"]) {
      const run = startPlatform({ DATA_DIR: dataDir, PORT: "0" });
      const started = await run.waitFor("embedded postgres started");
      tempDirs.push(String(started.data_dir)); // may sit outside dataDir when run as root
      const ready = await run.waitFor("ready");
      expect((await fetch(`${ready.url}/ready`)).status).toBe(200);
      run.proc.kill("SIGINT");
      expect(await run.proc.exited).toBe(0);
      const alive = Bun.spawnSync(["pgrep", "-f", `postgres -D ${started.data_dir}`])
        .stdout.toString()
        .trim();
      expect({ round, alive }).toEqual({ round, alive: "" });
    }
  }, 120_000);

  test("a signal during start-up still stops the embedded Postgres", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ace-start-"));
    chmodSync(dataDir, 0o755);
    tempDirs.push(dataDir);
    const run = startPlatform({ DATA_DIR: dataDir, PORT: "0" });
    const started = await run.waitFor("embedded postgres started");
    run.proc.kill("SIGINT"); // migrations and seeding are still to come
    expect(await run.proc.exited).toBe(0);
    const alive = Bun.spawnSync(["pgrep", "-f", `postgres -D ${started.data_dir}`])
      .stdout.toString()
      .trim();
    expect(alive).toBe("");
  }, 60_000);
});
