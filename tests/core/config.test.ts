import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, ENV_KEYS, loadConfig } from "../../core/config.ts";
import { withJwtSecret } from "../../core/secrets.ts";

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
};

describe("loadConfig", () => {
  test("defaults match the documented values", () => {
    const config = loadConfig({});
    expect(config.auth.accessTokenMinutes).toBe(30);
    expect(config.auth.refreshTokenDays).toBe(7);
    expect(config.evolution.outcomeThreshold).toBe(5);
    expect(config.evolution.timeThresholdHours).toBe(24);
    expect(config.billing.enabled).toBe(false);
    expect(config.worker.mode).toBe("inline");
    expect(config.dataDir).toBe("./.data");
    expect(config.database.url).toBeUndefined();
    expect(config.limits.playbookBytes).toBe(100 * 1024);
  });

  test("every problem is reported at once, in plain words", () => {
    const problems = problemsOf({
      PORT: "eighty",
      DATABASE_URL: "mysql://localhost/db",
      WORKER_MODE: "sometimes",
      BILLING_ENABLED: "true",
      EVOLUTION_OUTCOME_THRESHOLD: "0",
    });
    expect(problems).toEqual([
      'PORT must be a whole number (got "eighty")',
      "DATABASE_URL must be a URL like postgres://user:password@host:5432/database",
      'EVOLUTION_OUTCOME_THRESHOLD must be at least 1 (got "0")',
      'WORKER_MODE must be one of: inline, off (got "sometimes")',
      "STRIPE_SECRET_KEY is required when BILLING_ENABLED=true",
      "STRIPE_WEBHOOK_SECRET is required when BILLING_ENABLED=true",
    ]);
  });

  test("the change share is EVOLUTION_MAX_CHANGE_SHARE; the old removal-only name is refused by name", () => {
    expect(loadConfig({}).evolution.maxChangeShare).toBe(0.3);
    expect(loadConfig({ EVOLUTION_MAX_CHANGE_SHARE: "0.1" }).evolution.maxChangeShare).toBe(0.1);
    expect(problemsOf({ EVOLUTION_MAX_REMOVAL_SHARE: "0.1" })).toEqual([
      "EVOLUTION_MAX_REMOVAL_SHARE was renamed EVOLUTION_MAX_CHANGE_SHARE (it now counts updates, merges and pruning too): rename it",
    ]);
  });

  test("billing needs both Stripe keys only when enabled", () => {
    expect(problemsOf({ BILLING_ENABLED: "false" })).toEqual([]);
    expect(
      problemsOf({ BILLING_ENABLED: "true", STRIPE_SECRET_KEY: "sk", STRIPE_WEBHOOK_SECRET: "wh" }),
    ).toEqual([]);
  });

  test("production requires a JWT secret; secrets are never echoed", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toEqual([
      "JWT_SECRET_KEY is required when NODE_ENV=production",
    ]);
    const problems = problemsOf({ JWT_SECRET_KEY: "too-short-secret" });
    expect(problems.join()).not.toContain("too-short-secret");
  });

  test("empty values count as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).http.port).toBe(8000);
  });
});

describe("withJwtSecret", () => {
  test("generates a secret once in development and reuses it", () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ace-cfg-"));
    const first = withJwtSecret(loadConfig({ DATA_DIR: dataDir }));
    const second = withJwtSecret(loadConfig({ DATA_DIR: dataDir }));
    expect(first.auth.jwtSecret).toHaveLength(64);
    expect(second.auth.jwtSecret).toBe(first.auth.jwtSecret);
    expect(readFileSync(path.join(dataDir, "jwt-secret"), "utf8").trim()).toBe(first.auth.jwtSecret);
  });

  test("an explicit secret wins", () => {
    const secret = "x".repeat(40);
    expect(withJwtSecret(loadConfig({ JWT_SECRET_KEY: secret })).auth.jwtSecret).toBe(secret);
  });
});

describe(".env.example", () => {
  test("documents every variable the platform reads, and nothing else", () => {
    const text = readFileSync(path.resolve(import.meta.dir, "../../.env.example"), "utf8");
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ENV_KEYS].sort());
  });
});
