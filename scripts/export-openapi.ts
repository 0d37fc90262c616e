import { createApp } from "../api/app.ts";
import { createTestDeps } from "../tests/support/core.ts";

/**
 * Writes the OpenAPI document the server serves at /openapi.json to the given path (default
 * stdout), without a database: building the document runs no query. Used by `bun run lint:openapi`.
 */
const app = createApp(createTestDeps({} as never));
const response = await app.handle(new Request("http://localhost/openapi.json"));
const document = JSON.stringify(await response.json(), null, 2);
const target = Bun.argv[2];
if (target) await Bun.write(target, document);
else process.stdout.write(document);
