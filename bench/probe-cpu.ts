// temporary: CPU split between app, postgres and wrk for one route (not committed)
import { readFileSync, readdirSync } from "node:fs";
import { benchFixture, OUTCOME, startBare } from "./support/compare.ts";
import { startBenchServer } from "./support/server.ts";
import { runWrk } from "./support/wrk.ts";

const tick = 100;
function cpuOf(pred: (cmd: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!pred(cmd)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = cmd.includes("bare-server") ? "bare" : cmd.startsWith("postgres") ? "postgres" : cmd.startsWith("wrk") ? "wrk" : pid === String(process.pid) ? "app" : "other:" + cmd.slice(0, 40);
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / tick;
    } catch {}
  }
  return out;
}
const all = () => { const o = cpuOf(() => true); const t = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/ +/).slice(1, 8).map(Number); o.total = (t[0]! + t[1]! + t[2]! + t[4]! + t[5]! + t[6]!) / tick; return o; };
const server = await startBenchServer({ PLAYBOOK_MAX_BYTES: String(256 * 1024), EVOLUTION_OUTCOME_THRESHOLD: "10000", RATE_LIMIT_ENABLED: process.env.PROBE_NORL ? "false" : "true", RATE_LIMIT_OUTCOMES_PER_HOUR: "100000000" });
const bare = await startBare(server.dbUrl);
const f = await benchFixture(server.base);
const auth = { "x-api-key": f.key };
const post = { ...auth, "content-type": "application/json" };
const body = JSON.stringify(OUTCOME);
const which = Bun.argv[2] ?? "post-many";
const specs: Record<string, [Parameters<typeof runWrk>[0], Parameters<typeof runWrk>[0]]> = {
  "get": [{ urls: [`${server.base}/v1/playbooks/${f.small}`], headers: auth }, { urls: [`${bare.base}/playbooks/${f.small}?user=${f.userId}`] }],
  "post-many": [{ urls: f.many.map((id) => `${server.base}/v1/playbooks/${id}/outcomes`), method: "POST", headers: post, body }, { urls: f.many.map((id) => `${bare.base}/playbooks/${id}/outcomes?user=${f.userId}`), method: "POST", headers: post, body }],
  "post-one": [{ urls: [`${server.base}/v1/playbooks/${f.small}/outcomes`], method: "POST", headers: post, body }, { urls: [`${bare.base}/playbooks/${f.small}/outcomes?user=${f.userId}`], method: "POST", headers: post, body }],
  "mcp-get": [{ urls: [`${server.base}/mcp`], method: "POST", headers: { authorization: `Bearer ${f.key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_playbook", arguments: { playbook_id: f.small } } }) }, { urls: [`${bare.base}/playbooks/${f.small}?user=${f.userId}`] }],
};
const [appSpec, bareSpec] = specs[which]!;
await runWrk({ ...appSpec, connections: 64, seconds: 1 });
import { sql } from "slonik";
const pgss = !!process.env.PROBE_PGSS;
if (pgss) { await server.pool.query(sql.unsafe`create extension if not exists pg_stat_statements`); await server.pool.query(sql.unsafe`select pg_stat_statements_reset()`); }
const waits: Record<string, number> = {};
let sampling = true;
const sampler = (async () => { while (sampling) { const rows = await server.pool.any(sql.unsafe`select coalesce(wait_event_type,'cpu') || ':' || coalesce(wait_event,'') as w, left(query, 40) as q from pg_stat_activity where backend_type = 'client backend' and state = 'active' and pid <> pg_backend_pid()`); for (const r of rows as any[]) waits[r.w] = (waits[r.w] ?? 0) + 1; await Bun.sleep(20); } })();
for (const [label, spec] of (process.env.PROBE_APP_ONLY ? [["app", appSpec]] : [["app", appSpec], ["bare", bareSpec]]) as [string, typeof appSpec][]) {
  if (label === "bare") { sampling = false; await sampler; console.log("waits", JSON.stringify(Object.entries(waits).sort((a, b) => b[1] - a[1]).slice(0, 12))); if (pgss) { const rows = await server.pool.any(sql.unsafe`select calls, round(total_exec_time::numeric / calls * 1000) as exec_us, round(total_plan_time::numeric / greatest(calls,1) * 1000) as plan_us, left(regexp_replace(query, '\s+', ' ', 'g'), 110) as q from pg_stat_statements where calls > 100 order by total_exec_time + total_plan_time desc limit 15`); for (const r of rows as any[]) console.log(r.calls, "exec", r.exec_us, "us plan", r.plan_us, "us", r.q); } }
  const a = all();
  const r = await runWrk({ ...spec, connections: 64, seconds: Number(Bun.argv[3] ?? 5) });
  const b = all();
  const per: string[] = [];
  for (const k of Object.keys(b)) { const d = b[k]! - (a[k] ?? 0); if (d > 0.05) per.push(`${k} ${(d / r.requests * 1e6).toFixed(0)}us/req (${d.toFixed(2)}s)`); }
  console.log(`${which} ${label}: ${Math.round(r.rps)} req/s errors ${r.errors}; ${per.join(", ")}`);
}
await bare.stop();
await server.stop();
process.exit(0);
