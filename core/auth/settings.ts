import type { RateRule } from "../rate-limit/types.ts";

/** What the auth use-cases need from the configuration, bound once by `createCore`. */

/** argon2id costs: cheap in tests, strong in production. */
export interface PasswordCosts {
  memoryCost: number;
  timeCost: number;
}

export interface SessionSettings {
  /** HS256 key of the access tokens (filled in at start-up when not configured). */
  jwtSecret: string;
  accessTokenMinutes: number;
  refreshTokenDays: number;
}

export interface AuthSettings {
  session: SessionSettings;
  passwordHash: PasswordCosts;
  /** Sign-in attempts per client IP. */
  loginRule: RateRule;
  /** Sign-ups per client IP (argon2 hashing is costly). */
  registerRule: RateRule;
}
