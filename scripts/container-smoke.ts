/**
 * `bun scripts/container-smoke.ts --url=http://127.0.0.1:PORT [options]`: what a user of a
 * freshly started container would try, over real HTTP. Waits for GET /ready to answer 200 and
 * prints how long that took, checks `/` (the dashboard), then either registers an account,
 * creates an API key and a playbook and drives MCP with the SDK's own client (initialize,
 * tools/list, tools/call list_playbooks, get_playbook and report_outcome), or, with --login,
 * signs in to an account made before a restart (so the data survived). Exits non-zero on any
 * failed check. Used by scripts/container-check.sh.
 *
 *   --started-at=<epoch ms>   when the container was started (time to /ready is measured from it)
 *   --email=… --password=…    the account (generated when absent)
 *   --login                   only sign in (and list playbooks over MCP) with that account
 *   --dashboard=absent|present  what `/` must be: 404 while the admin has no build, else the
 *                               dashboard: index.html with a CSP, a content-hashed asset served
 *                               as immutable, and a client route answered with index.html
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const PLAYBOOK = `## STRATEGIES & INSIGHTS
[str-00001] helpful=0 harmful=0 :: Read the failing test before editing code.
`;

const args = new Map(
  Bun.argv.slice(2).map((a) => {
    const [key, ...value] = a.replace(/^--/, "").split("=");
    return [key ?? "", value.join("=") || "true"] as const;
  }),
);
const base = (args.get("url") ?? "").replace(/\/$/, "");
const startedAt = Number(args.get("started-at") ?? Date.now());
const email = args.get("email") ?? `container-${crypto.randomUUID()}@example.com`;
const password = args.get("password") ?? "correct horse battery staple";

function check(condition: unknown, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

async function waitForReady(timeoutMs = 180_000): Promise<number> {
  let last = "no answer";
  while (Date.now() - startedAt < timeoutMs) {
    try {
      const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return Date.now() - startedAt;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await Bun.sleep(100);
  }
  throw new Error(`/ready did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

async function post(route: string, body: unknown, token?: string) {
  const response = await fetch(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function checkDashboard(expected: string): Promise<void> {
  const response = await fetch(`${base}/`);
  const type = response.headers.get("content-type") ?? "";
  if (expected !== "present") {
    await response.body?.cancel();
    check(response.status === 404, `/ answers 404: no dashboard in this image yet (${response.status})`);
    return;
  }
  const html = await response.text();
  check(
    response.status === 200 && type.includes("text/html"),
    `/ serves the dashboard (${response.status} ${type})`,
  );
  const csp = response.headers.get("content-security-policy") ?? "";
  check(/default-src|script-src/.test(csp), `/ carries a Content-Security-Policy (${csp.slice(0, 60)}…)`);
  // SvelteKit's build names its assets by content hash under _app/immutable/; index.html links them.
  const asset = /["']((?:\.{0,2}\/)*_app\/immutable\/[^"']+\.(?:js|css))["']/.exec(html)?.[1];
  check(asset, "index.html links a content-hashed asset under _app/immutable/");
  const assetUrl = new URL(asset!, `${base}/`);
  const assetResponse = await fetch(assetUrl);
  await assetResponse.body?.cancel();
  const cache = assetResponse.headers.get("cache-control") ?? "";
  check(
    assetResponse.status === 200 && cache.includes("immutable"),
    `${assetUrl.pathname} answers 200 with cache-control "${cache}"`,
  );
  // A client-side route reloaded in the browser gets the app too (the SPA fallback), not a 404.
  const route = await fetch(`${base}/playbooks`);
  await route.body?.cancel();
  check(
    route.status === 200 && (route.headers.get("content-type") ?? "").includes("text/html"),
    `/playbooks (a dashboard route) serves index.html (${route.status})`,
  );
}

async function mcp(key: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: "ace-container-check", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const call = async (client: Client, name: string, input: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: input })) as CallToolResult;

async function firstRun(): Promise<void> {
  const session = await post("/v1/auth/register", { email, password });
  check(session.access_token, `registered ${email}`);
  const token = String(session.access_token);
  const key = String(
    (await post("/v1/auth/api-keys", { name: "container", scopes: ["read", "write"] }, token)).key,
  );
  check(key.length > 20, "created an API key");
  const playbook = await post("/v1/playbooks", { name: "container check", content: PLAYBOOK }, token);
  const client = await mcp(key);
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    check(tools.includes("get_playbook"), `MCP tools/list: ${tools.join(", ")}`);
    const listed = await call(client, "list_playbooks", { include_starters: false });
    const ids = (listed.structuredContent as { playbooks: Array<{ id: string }> }).playbooks.map((p) => p.id);
    check(!listed.isError && ids.includes(String(playbook.id)), "MCP tools/call list_playbooks lists it");
    const got = await call(client, "get_playbook", { playbook_id: playbook.id });
    check(
      !got.isError && got.content[0]?.type === "text" && got.content[0].text === PLAYBOOK,
      "MCP get_playbook",
    );
    const reported = await call(client, "report_outcome", {
      playbook_id: playbook.id,
      task_description: "container smoke test",
      outcome: "success",
      bullets_used: ["str-00001"],
    });
    check(!reported.isError, "MCP report_outcome recorded an outcome (a database write)");
  } finally {
    await client.close();
  }
}

async function loginRun(): Promise<void> {
  const session = await post("/v1/auth/login", { email, password });
  check(session.access_token, `signed in as ${email} (created before the restart)`);
  const key = String(
    (
      await post(
        "/v1/auth/api-keys",
        { name: "after restart", scopes: ["read"] },
        String(session.access_token),
      )
    ).key,
  );
  const client = await mcp(key);
  try {
    const listed = await call(client, "list_playbooks", { include_starters: false });
    const total = (listed.structuredContent as { total: number }).total;
    check(!listed.isError && total >= 1, `MCP list_playbooks still finds the playbook (${total})`);
  } finally {
    await client.close();
  }
}

try {
  if (!base) throw new Error("--url=http://host:port is required");
  const readyMs = await waitForReady();
  console.log(`ok - /ready answered 200 after ${readyMs} ms`);
  const health = await fetch(`${base}/health`);
  check(health.status === 200, "/health answers 200");
  await checkDashboard(args.get("dashboard") ?? "absent");
  await (args.has("login") ? loginRun() : firstRun());
  console.log(`SMOKE_RESULT ready_ms=${readyMs}`);
} catch (error) {
  console.error(`not ok - ${(error as Error).message}`);
  process.exit(1);
}
