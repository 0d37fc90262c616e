import { z } from "zod";
import { DEFAULT_TOKEN_BUDGET } from "./ace/options.ts";

/**
 * Every setting of the platform, parsed once per process from the environment.
 * Nothing else reads process.env: entry points call loadConfig and pass the result down.
 * `.env.example` documents each variable; keep the two in step.
 */

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const share = z.coerce
  .number({ error: "must be a number between 0 and 1" })
  .gt(0, { error: "must be greater than 0" })
  .max(1, { error: "must be at most 1" });

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const postgresUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        const url = new URL(v);
        return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: "must be a URL like postgres://user:password@host:5432/database" },
  );

const httpUrl = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), {
    error: "must be an http(s) URL like https://api.openai.com/v1",
  });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(", ")}` });

const EnvSchema = z.object({
  NODE_ENV: oneOf(["development", "production", "test"]).default("development"),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: int(0, 65535).default(8000),
  DATA_DIR: z.string().trim().min(1).default("./.data"),
  LOG_LEVEL: oneOf(["debug", "info", "warn", "error", "silent"]).default("info"),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  EMBEDDED_POSTGRES_PORT: int(0, 65535).default(0),
  SHUTDOWN_TIMEOUT_SECONDS: int(1, 600).default(10),
  TRUST_PROXY: bool.default(false),
  ALLOWED_ORIGINS: z.string().default(""),

  JWT_SECRET_KEY: optionalText.pipe(
    z.string().min(32, { error: "must be at least 32 characters (try: openssl rand -hex 32)" }).optional(),
  ),
  JWT_ACCESS_TOKEN_EXPIRE_MINUTES: int(1, 24 * 60).default(30),
  JWT_REFRESH_TOKEN_EXPIRE_DAYS: int(1, 365).default(7),
  PASSWORD_HASH_MEMORY_KIB: int(1024).default(65536),
  PASSWORD_HASH_TIME_COST: int(1, 20).default(2),

  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: httpUrl.optional(),
  REFLECTOR_MODEL: z.string().trim().min(1).default("gpt-4.1-mini"),
  CURATOR_MODEL: z.string().trim().min(1).default("gpt-4.1-mini"),
  LLM_TIMEOUT_SECONDS: int(1, 3600).default(120),
  LLM_MAX_ATTEMPTS: int(1, 10).default(3),

  EVOLUTION_OUTCOME_THRESHOLD: int(1, 10_000).default(5),
  EVOLUTION_TIME_THRESHOLD_HOURS: int(1, 24 * 365).default(24),
  EVOLUTION_SWEEP_INTERVAL_MINUTES: int(1, 30).default(5),
  EVOLUTION_MAX_ATTEMPTS: int(1, 25).default(5),
  EVOLUTION_BATCH_SIZE: int(1, 1000).default(50),
  EVOLUTION_MAX_CHANGE_SHARE: share.default(0.3),
  EVOLUTION_FAILURE_BACKOFF_MINUTES: int(1, 24 * 60).default(15),
  PLAYBOOK_TOKEN_BUDGET: int(500).default(DEFAULT_TOKEN_BUDGET),

  PLAYBOOK_MAX_BYTES: int(1024).default(100 * 1024),
  REASONING_TRACE_MAX_BYTES: int(256).default(10 * 1024),
  NOTES_MAX_BYTES: int(64).default(2 * 1024),
  REQUEST_BODY_MAX_BYTES: int(4096).default(512 * 1024),

  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_LOGIN_PER_MINUTE: int(1).default(5),
  RATE_LIMIT_OUTCOMES_PER_HOUR: int(1).default(100),
  RATE_LIMIT_EVOLUTIONS_PER_HOUR: int(1).default(10),

  BILLING_ENABLED: bool.default(false),
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,

  WORKER_MODE: oneOf(["inline", "off"]).default("inline"),
  WORKER_CONCURRENCY: int(1, 64).default(4),
  WORKER_STALE_LOCK_SECONDS: int(2, 3600).default(10),

  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, { error: "must be at least 16 characters (try: openssl rand -hex 24)" }).optional(),
  ),
  METRICS_HOST: optionalText,
  METRICS_PORT: int(0, 65535).optional(),
  SENTRY_DSN: optionalText.pipe(httpUrl.optional()),
  SENTRY_ENVIRONMENT: optionalText,

  EVENTS_STREAMS_PER_USER: int(1, 100).default(5),
  EVENTS_PING_SECONDS: int(1, 300).default(15),
  EVENTS_STREAM_MAX_SECONDS: int(5, 24 * 3600).default(900),

  OUTCOME_TRACE_RETENTION_DAYS: int(0, 36_500).default(90),
  AUDIT_EVENT_RETENTION_DAYS: int(0, 36_500).default(365),
});

/** Rules between variables, checked on the raw strings so they are reported alongside type errors. */
function crossFieldProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (["true", "1", "yes"].includes(env.BILLING_ENABLED ?? "")) {
    for (const key of ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) {
      if (!env[key]?.trim()) problems.push(`${key} is required when BILLING_ENABLED=true`);
    }
  }
  if (env.EVOLUTION_MAX_REMOVAL_SHARE !== undefined) {
    problems.push(
      "EVOLUTION_MAX_REMOVAL_SHARE was renamed EVOLUTION_MAX_CHANGE_SHARE (it now counts updates, merges and pruning too): rename it",
    );
  }
  if (env.NODE_ENV === "production" && !env.JWT_SECRET_KEY?.trim()) {
    problems.push("JWT_SECRET_KEY is required when NODE_ENV=production");
  }
  if (env.METRICS_PORT?.trim() && !env.METRICS_TOKEN?.trim()) {
    problems.push("METRICS_TOKEN is required when METRICS_PORT is set (metrics are never served without it)");
  }
  return problems;
}

export type Env = z.output<typeof EnvSchema>;

/** Every variable the platform reads (`.env.example` must document each one; a test checks). */
export const ENV_KEYS = Object.keys(EnvSchema.shape);

/** The parsed settings, grouped by concern. */
export type Config = ReturnType<typeof shape>;

const shape = (env: Env) => ({
  env: env.NODE_ENV,
  http: {
    host: env.HOST,
    port: env.PORT,
    trustProxy: env.TRUST_PROXY,
    allowedOrigins: env.ALLOWED_ORIGINS.split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    bodyMaxBytes: env.REQUEST_BODY_MAX_BYTES,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  },
  dataDir: env.DATA_DIR,
  logLevel: env.LOG_LEVEL,
  database: {
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    embeddedPort: env.EMBEDDED_POSTGRES_PORT,
  },
  auth: {
    jwtSecret: env.JWT_SECRET_KEY,
    accessTokenMinutes: env.JWT_ACCESS_TOKEN_EXPIRE_MINUTES,
    refreshTokenDays: env.JWT_REFRESH_TOKEN_EXPIRE_DAYS,
    passwordHash: { memoryCost: env.PASSWORD_HASH_MEMORY_KIB, timeCost: env.PASSWORD_HASH_TIME_COST },
  },
  llm: {
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    models: { reflector: env.REFLECTOR_MODEL, curator: env.CURATOR_MODEL },
    timeoutMs: env.LLM_TIMEOUT_SECONDS * 1000,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
  },
  evolution: {
    outcomeThreshold: env.EVOLUTION_OUTCOME_THRESHOLD,
    timeThresholdHours: env.EVOLUTION_TIME_THRESHOLD_HOURS,
    sweepIntervalMinutes: env.EVOLUTION_SWEEP_INTERVAL_MINUTES,
    maxAttempts: env.EVOLUTION_MAX_ATTEMPTS,
    batchSize: env.EVOLUTION_BATCH_SIZE,
    maxChangeShare: env.EVOLUTION_MAX_CHANGE_SHARE,
    tokenBudget: env.PLAYBOOK_TOKEN_BUDGET,
    /** Automatic triggers pause after a failed evolution: 15, 30, 60 … minutes, at most the time threshold. */
    failureBackoff: {
      baseMinutes: env.EVOLUTION_FAILURE_BACKOFF_MINUTES,
      capHours: env.EVOLUTION_TIME_THRESHOLD_HOURS,
    },
  },
  limits: {
    playbookBytes: env.PLAYBOOK_MAX_BYTES,
    reasoningTraceBytes: env.REASONING_TRACE_MAX_BYTES,
    notesBytes: env.NOTES_MAX_BYTES,
  },
  rateLimits: {
    enabled: env.RATE_LIMIT_ENABLED,
    loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE,
    outcomesPerHour: env.RATE_LIMIT_OUTCOMES_PER_HOUR,
    evolutionsPerHour: env.RATE_LIMIT_EVOLUTIONS_PER_HOUR,
  },
  billing: {
    enabled: env.BILLING_ENABLED,
    stripeSecretKey: env.STRIPE_SECRET_KEY,
    stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET,
  },
  worker: {
    mode: env.WORKER_MODE,
    concurrency: env.WORKER_CONCURRENCY,
    staleLockSeconds: env.WORKER_STALE_LOCK_SECONDS,
  },
  /** GET /metrics: off without a token; on its own listener when a port is set, else on the HTTP port. */
  metrics: {
    token: env.METRICS_TOKEN,
    host: env.METRICS_HOST ?? env.HOST,
    port: env.METRICS_PORT,
  },
  /** Unexpected errors go to Sentry only when a DSN is set. */
  errorTracking: {
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT ?? env.NODE_ENV,
  },
  /** Live events (GET /v1/events): open streams per user, comment ping, and a stream's longest life. */
  events: {
    streamsPerUser: env.EVENTS_STREAMS_PER_USER,
    pingMs: env.EVENTS_PING_SECONDS * 1000,
    maxStreamMs: env.EVENTS_STREAM_MAX_SECONDS * 1000,
  },
  /** Days to keep outcome traces and notes, and audit events; 0 keeps them forever. */
  retention: {
    outcomeTraceDays: env.OUTCOME_TRACE_RETENTION_DAYS,
    auditEventDays: env.AUDIT_EVENT_RETENTION_DAYS,
  },
});

/** Every problem of an invalid configuration, one line each, so the operator can fix them all at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment into a Config. Throws ConfigError listing every problem.
 * Empty strings count as unset, so `FOO=` in a .env file means "use the default".
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
  const result = EnvSchema.safeParse(cleaned);
  const problems = (result.error?.issues ?? []).map((issue) => {
    const key = issue.path.join(".") || "environment";
    const value = cleaned[key];
    // Echo the offending value to help the operator, except for anything secret.
    const shown =
      value !== undefined && !/SECRET|KEY|PASSWORD|URL|TOKEN|DSN/.test(key) ? ` (got "${value}")` : "";
    return `${key} ${issue.message}${shown}`;
  });
  problems.push(...crossFieldProblems(cleaned));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return shape(result.data);
}
