import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** `bun run lint:openapi`: exports the served OpenAPI document and lints it with Redocly (zero errors required). */
const file = path.join(mkdtempSync(path.join(tmpdir(), "ace-openapi-")), "openapi.json");
const exported = Bun.spawnSync(["bun", path.join(import.meta.dir, "export-openapi.ts"), file], {
  stdio: ["ignore", "inherit", "inherit"],
});
if (exported.exitCode !== 0) process.exit(exported.exitCode ?? 1);
const lint = Bun.spawnSync(
  [path.join(import.meta.dir, "../node_modules/.bin/redocly"), "lint", file, "--format=stylish"],
  {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  },
);
process.exit(lint.exitCode ?? 1);
