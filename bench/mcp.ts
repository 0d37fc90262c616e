/**
 * `bun run bench:mcp`: the MCP tools `get_playbook` (the 8.9 KB starter copy and the 130 KB
 * AppWorld fixture) and `report_outcome`, each a stateless JSON-RPC tools/call POST to /mcp driven
 * by `wrk`, against the bare one-statement server (bench/support/bare-server.ts: the same rows,
 * no auth) on the same Postgres, in the same run. A checked call before and after each load makes
 * a broken setup fail loudly instead of benchmarking errors.
 * With --conditional, also get_playbook with a current if_version (the one-line answer).
 * With --statements, ends with the statements that took the database's time (pg_stat_statements).
 * Usage: bun run bench:mcp [--seconds=5] [--connections=64] [--conditional] [--statements]
 */
import { APPWORLD, arg, benchFixture, formatTable, OUTCOME, type Row, startBare } from "./support/compare.ts";
import { startBenchServer } from "./support/server.ts";
import { printStatements, resetStatements } from "./support/statements.ts";
import { runWrk } from "./support/wrk.ts";

const seconds = arg("seconds", 5);
const connections = arg("connections", 64);

const toolCall = (name: string, args: Record<string, unknown>) =>
  JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } });

async function checkCall(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const response = await fetch(url, { method: "POST", headers, body });
  const text = await response.text();
  const json = JSON.parse(text) as { result?: { isError?: boolean } };
  if (!response.ok || !json.result || json.result.isError) {
    throw new Error(`MCP call failed: ${response.status} ${text.slice(0, 300)}`);
  }
  return text.length;
}

const server = await startBenchServer({
  PLAYBOOK_MAX_BYTES: String(256 * 1024),
  EVOLUTION_OUTCOME_THRESHOLD: "10000", // the highest allowed: measure the write path, not evolutions
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_OUTCOMES_PER_HOUR: "100000000",
});
const bare = await startBare(server.dbUrl);
try {
  await resetStatements(server.pool);
  const f = await benchFixture(server.base);
  const mcp = {
    authorization: `Bearer ${f.key}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
  };
  const mcpUrl = `${server.base}/mcp`;
  const call = async (body: string) => {
    const bytes = await checkCall(mcpUrl, mcp, body);
    const result = await runWrk({ urls: [mcpUrl], method: "POST", headers: mcp, body, connections, seconds });
    await checkCall(mcpUrl, mcp, body);
    return { result, bytes };
  };
  const bareGet = (id: string) => `${bare.base}/playbooks/${id}?user=${f.userId}`;
  await runWrk({
    urls: [mcpUrl],
    method: "POST",
    headers: mcp,
    body: toolCall("get_playbook", { playbook_id: f.small }),
    connections,
    seconds: 1,
  }); // warm-up
  const rows: Row[] = [];
  for (const id of [f.small, f.large]) {
    const { result, bytes } = await call(toolCall("get_playbook", { playbook_id: id }));
    rows.push({
      name: `MCP get_playbook, ${(bytes / 1024).toFixed(1)} KB reply (bare: GET)`,
      app: result,
      bare: await runWrk({ urls: [bareGet(id)], connections, seconds }),
    });
  }
  if (Bun.argv.includes("--conditional")) {
    const { result, bytes } = await call(toolCall("get_playbook", { playbook_id: f.small, if_version: 1 }));
    rows.push({
      name: `MCP get_playbook if_version current, ${(bytes / 1024).toFixed(1)} KB reply (bare: GET)`,
      app: result,
      bare: await runWrk({ urls: [bareGet(f.small)], connections, seconds }),
    });
  }
  const report = await call(toolCall("report_outcome", { playbook_id: f.small, ...OUTCOME }));
  rows.push({
    name: `MCP report_outcome, ${connections} clients on one playbook (bare: INSERT)`,
    app: report.result,
    bare: await runWrk({
      urls: [`${bare.base}/playbooks/${f.small}/outcomes?user=${f.userId}`],
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(OUTCOME),
      connections,
      seconds,
    }),
  });
  console.log(
    formatTable(
      `bench:mcp — wrk, ${connections} connections, ${seconds} s per route; AppWorld fixture ${APPWORLD.length} bytes`,
      rows,
    ),
  );
  await printStatements(server.pool);
} finally {
  await bare.stop();
  await server.stop();
}
