/**
 * `bun run test:inspector`: the official MCP Inspector CLI against the real server.
 * Starts the server with `bun run start` (embedded Postgres in a temp DATA_DIR, PORT=0),
 * creates a user, an API key and a playbook over REST, then runs
 * `mcp-inspector --cli <url>/mcp --transport http --header "Authorization: Bearer <key>"` for
 * tools/list and tools/call get_playbook, checks the output, and stops the server (and its
 * Postgres) whatever happens. Exits non-zero on any failure.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startPlatform } from "../tests/support/process.ts";

const PLAYBOOK = `## STRATEGIES & INSIGHTS
[str-00001] helpful=0 harmful=0 :: Read the failing test before editing code.
`;
const INSPECTOR = path.join(
  ROOT,
  "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js",
);

async function rest(base: string, route: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** Runs the Inspector CLI (Node ≥ 20 is enough for its CLI mode) and returns its parsed JSON output. */
function inspector(url: string, key: string, args: string[], home: string): unknown {
  const run = Bun.spawnSync(
    [
      "node",
      INSPECTOR,
      "--cli",
      url,
      "--transport",
      "http",
      "--header",
      `Authorization: Bearer ${key}`,
      ...args,
    ],
    { env: { PATH: process.env.PATH ?? "", HOME: home, MCP_CATALOG_PATH: path.join(home, "mcp.json") } },
  );
  const out = run.stdout.toString();
  if (run.exitCode !== 0) {
    throw new Error(`inspector ${args.join(" ")} exited ${run.exitCode}:\n${out}\n${run.stderr.toString()}`);
  }
  return JSON.parse(out);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

async function exercise(base: string, home: string): Promise<void> {
  const session = await rest(base, "/v1/auth/register", {
    email: `inspector-${crypto.randomUUID()}@example.com`,
    password: "correct horse battery staple",
  });
  const token = String(session.access_token);
  const key = String(
    (await rest(base, "/v1/auth/api-keys", { name: "inspector", scopes: ["read"] }, token)).key,
  );
  const playbook = await rest(base, "/v1/playbooks", { name: "inspector", content: PLAYBOOK }, token);
  const url = `${base}/mcp`;
  const listed = inspector(url, key, ["--method", "tools/list"], home) as { tools: Array<{ name: string }> };
  const names = listed.tools.map((t) => t.name);
  for (const tool of [
    "list_playbooks",
    "get_playbook",
    "report_outcome",
    "trigger_evolution",
    "get_evolution_status",
  ]) {
    check(names.includes(tool), `tools/list includes ${tool}`);
  }
  const args = [
    "--method",
    "tools/call",
    "--tool-name",
    "get_playbook",
    "--tool-arg",
    `playbook_id=${playbook.id}`,
  ];
  const called = inspector(url, key, args, home) as {
    content: Array<{ text: string }>;
    structuredContent: { version_number: number };
    isError?: boolean;
  };
  check(!called.isError, "get_playbook is not an error");
  check(called.content[0]?.text === PLAYBOOK, "get_playbook's text is the playbook");
  check(called.structuredContent.version_number === 1, "get_playbook reports version 1");
}

const dataDir = mkdtempSync(path.join(tmpdir(), "ace-inspector-"));
chmodSync(dataDir, 0o755); // as root, the postgres OS user must be able to enter it
const home = mkdtempSync(path.join(tmpdir(), "ace-inspector-home-"));
const server = startPlatform(
  { DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" },
  [],
  ["bun", "run", "start"],
);
let failed = false;
// As root, embedded Postgres keeps its data outside DATA_DIR (the postgres user must reach it).
const pgDataDir = server.waitFor("embedded postgres started", 60_000).then((l) => String(l.data_dir));
pgDataDir.catch(() => {});
try {
  const ready = await server.waitFor("ready", 60_000);
  await exercise(String(ready.url), home);
  console.log("inspector check passed");
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
  console.error((await Promise.race([server.stderr(), Bun.sleep(100).then(() => "")])).slice(-2000));
} finally {
  server.proc.kill("SIGINT"); // main.ts stops the embedded Postgres on SIGINT
  const code = await server.proc.exited;
  if (code !== 0) failed = true;
  rmSync(dataDir, { recursive: true, force: true });
  const pgDir = await Promise.race([pgDataDir.catch(() => ""), Bun.sleep(10).then(() => "")]);
  if (pgDir.startsWith(tmpdir())) rmSync(pgDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
