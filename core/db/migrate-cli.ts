import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { withDatabase } from "./database.ts";
import { migrate } from "./migrate.ts";

/** `bun run migrate`: apply pending migrations (starting the embedded Postgres if needed) and exit. */
const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
await withDatabase(config, logger, async (url) => {
  const applied = await migrate(url);
  logger.info(applied.length ? "migrations applied" : "schema up to date", { applied });
});
