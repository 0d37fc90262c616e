/**
 * `bun run bench:mcp`: the MCP tools `get_playbook` (359-bullet fixture, 130 KB; the content limit
 * is raised for the run) and `report_outcome`, each a stateless JSON-RPC tools/call POST to /mcp,
 * beside their REST twins (GET /v1/playbooks/{id}, POST /v1/playbooks/{id}/outcomes) in the same run.
 * The stateless server needs no initialize per call, so each load request is one tools/call.
 * Usage: bun run bench:mcp [--seconds=5] [--concurrency=32]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatRow, runLoad } from "./support/load.ts";
import { benchUserKey, startBenchServer } from "./support/server.ts";

const arg = (name: string, fallback: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = arg("seconds", 5);
const CONCURRENCY = arg("concurrency", 32);
const fixture = readFileSync(
  path.resolve(import.meta.dir, "../tests/fixtures/appworld_online_trained_playbook.txt"),
  "utf8",
);

const outcome = {
  task_description: "Sync contacts across apps ({{n}})",
  outcome: "success",
  reasoning_trace: "Looked up contacts, matched by email and phone, added missing friends.",
  bullets_used: ["shr-00009", "shr-00071"],
};
const toolCall = (name: string, args: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } });

/** One tools/call first, so a broken setup fails loudly instead of benchmarking errors. */
async function checkCall(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: "POST", headers, body: body.replaceAll("{{n}}", "check") });
  const json = (await response.json()) as { result?: { isError?: boolean; content?: unknown } };
  if (!response.ok || !json.result || json.result.isError) {
    throw new Error(`MCP call failed: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  }
}

const server = await startBenchServer({
  PLAYBOOK_MAX_BYTES: String(256 * 1024),
  EVOLUTION_OUTCOME_THRESHOLD: "10000", // measure the write path, not evolutions
});
try {
  const key = await benchUserKey(server.base);
  const rest = { "x-api-key": key, "content-type": "application/json" };
  const mcp = {
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
  };
  const created = (await fetch(`${server.base}/v1/playbooks`, {
    method: "POST",
    headers: rest,
    body: JSON.stringify({ name: "AppWorld trained", content: fixture }),
  }).then((r) => r.json())) as { id: string; bullet_count: number };
  const load = (url: string, extra: Partial<Parameters<typeof runLoad>[0]> = {}) =>
    runLoad({ url, concurrency: CONCURRENCY, seconds: SECONDS, ...extra });
  const mcpUrl = `${server.base}/mcp`;
  const getBody = toolCall("get_playbook", { playbook_id: created.id });
  const reportBody = toolCall("report_outcome", { playbook_id: created.id, ...outcome });
  await checkCall(mcpUrl, mcp, getBody);
  await checkCall(mcpUrl, mcp, reportBody);

  await load(`${server.base}/bench/select-1`, { seconds: 1 }); // warm-up
  const baseline = await load(`${server.base}/bench/select-1`);
  const restGet = await load(`${server.base}/v1/playbooks/${created.id}`, { headers: rest });
  const mcpGet = await load(mcpUrl, { method: "POST", headers: mcp, body: getBody, jsonRpc: true });
  const restPost = await load(`${server.base}/v1/playbooks/${created.id}/outcomes`, {
    method: "POST",
    headers: rest,
    body: JSON.stringify(outcome),
  });
  const mcpPost = await load(mcpUrl, { method: "POST", headers: mcp, body: reportBody, jsonRpc: true });
  console.log(
    `bench:mcp — ${CONCURRENCY} concurrent clients, ${SECONDS}s each, ${created.bullet_count}-bullet playbook (${fixture.length} bytes)`,
  );
  console.log(formatRow("GET /bench/select-1 (baseline)", baseline));
  console.log(formatRow("REST GET /v1/playbooks/{id}", restGet, baseline));
  console.log(formatRow("MCP  tools/call get_playbook", mcpGet, baseline));
  console.log(formatRow("REST POST /v1/playbooks/{id}/outcomes", restPost, baseline));
  console.log(formatRow("MCP  tools/call report_outcome", mcpPost, baseline));
} finally {
  await server.stop();
}
