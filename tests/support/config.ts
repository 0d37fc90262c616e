import { type Config, loadConfig } from "../../core/config.ts";
import { withJwtSecret } from "../../core/secrets.ts";

/**
 * A Config for tests: real parsing of the given variables over test defaults (cheap password
 * hashing, quiet logs, no worker unless a test starts one).
 */
export function testConfig(env: Record<string, string> = {}): Config & { auth: { jwtSecret: string } } {
  return withJwtSecret(
    loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      JWT_SECRET_KEY: "test-secret-test-secret-test-secret-0123",
      PASSWORD_HASH_MEMORY_KIB: "4096",
      PASSWORD_HASH_TIME_COST: "1",
      WORKER_MODE: "off",
      DATA_DIR: "/tmp/ace-test-data",
      ...env,
    }),
  );
}

/**
 * Env for an app whose evolutions may be triggered (a trigger is refused while no LLM provider is
 * configured) in tests where no worker runs, so the provider is never called.
 */
export const LLM_CONFIGURED = { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };
