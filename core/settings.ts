import type { AuthSettings } from "./auth/settings.ts";
import type { Config } from "./config.ts";
import type { ThresholdSettings } from "./evolution/enqueue.ts";
import type { EvolutionSettings } from "./evolution/run-evolution.ts";
import type { RetentionSettings } from "./maintenance.ts";
import type { RateRule } from "./rate-limit/types.ts";

/**
 * Every use-case setting, built once from the configuration: the only place where Config turns
 * into limits, thresholds, rate rules, budgets and auth settings. `createCore` binds the result.
 */
export function settingsFrom(config: Config) {
  const rateRules = rateRulesFrom(config);
  const threshold: ThresholdSettings = {
    threshold: config.evolution.outcomeThreshold,
    maxAttempts: config.evolution.maxAttempts,
    failureBackoff: config.evolution.failureBackoff,
  };
  const evolution: EvolutionSettings = {
    batchSize: config.evolution.batchSize,
    tokenBudget: config.evolution.tokenBudget,
    maxChangeShare: config.evolution.maxChangeShare,
    maxContentBytes: config.limits.playbookBytes,
    threshold,
  };
  return {
    limits: { ...config.limits },
    rateRules,
    threshold,
    evolution,
    /** The time threshold of the scheduled sweep. */
    sweep: { hours: config.evolution.timeThresholdHours, maxAttempts: config.evolution.maxAttempts },
    auth: authSettingsFrom(config, rateRules),
    /** What the hourly housekeeping keeps, and for how long. */
    retention: { ...config.retention } satisfies RetentionSettings,
    /** Live event streams: how many one user may hold open at once. */
    events: { streamsPerUser: config.events.streamsPerUser },
    /** After this long without a heartbeat, a queue worker's jobs are taken over. */
    staleWorkerSeconds: config.worker.staleLockSeconds,
  };
}

export type Settings = ReturnType<typeof settingsFrom>;

/** Every named limit; RATE_LIMIT_ENABLED=false turns them all off. */
function rateRulesFrom(config: Config) {
  const enabled = config.rateLimits.enabled;
  return {
    /** Login attempts per client IP. */
    loginPerIp: { limit: config.rateLimits.loginPerMinute, windowSeconds: 60, enabled },
    /** Sign-ups per client IP (argon2 hashing is costly, so sign-up is limited like login). */
    registerPerIp: { limit: config.rateLimits.loginPerMinute, windowSeconds: 60, enabled },
    /** Outcome reports per user. */
    outcomes: { limit: config.rateLimits.outcomesPerHour, windowSeconds: 3600, enabled },
    /** Manually triggered evolutions per playbook. */
    evolutions: { limit: config.rateLimits.evolutionsPerHour, windowSeconds: 3600, enabled },
  } satisfies Record<string, RateRule>;
}

function authSettingsFrom(config: Config, rules: ReturnType<typeof rateRulesFrom>): AuthSettings {
  const jwtSecret = config.auth.jwtSecret;
  // Entry points fill it in (core/secrets.ts); its absence here is a wiring bug, not a user error.
  if (!jwtSecret) throw new Error("config.auth.jwtSecret is not set; call withJwtSecret(config) at start-up");
  return {
    session: {
      jwtSecret,
      accessTokenMinutes: config.auth.accessTokenMinutes,
      refreshTokenDays: config.auth.refreshTokenDays,
    },
    passwordHash: { ...config.auth.passwordHash },
    loginRule: rules.loginPerIp,
    registerRule: rules.registerPerIp,
  };
}
