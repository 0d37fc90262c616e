import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "./config.ts";

/**
 * Fills in JWT_SECRET_KEY outside production: generated once and kept in the data dir, so
 * sessions survive restarts without the developer having to invent a secret.
 * (Config already refuses a missing key when NODE_ENV=production.)
 */
export function withJwtSecret(config: Config): Config & { auth: { jwtSecret: string } } {
  if (config.auth.jwtSecret) return config as Config & { auth: { jwtSecret: string } };
  const file = path.resolve(config.dataDir, "jwt-secret");
  let secret: string;
  if (existsSync(file)) {
    secret = readFileSync(file, "utf8").trim();
  } else {
    mkdirSync(config.dataDir, { recursive: true });
    secret = randomBytes(32).toString("hex");
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  return { ...config, auth: { ...config.auth, jwtSecret: secret } };
}
