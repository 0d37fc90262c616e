/**
 * `bun run bench:rest`: the REST hot paths against a bare one-statement server (same rows and
 * bytes, no auth; bench/support/bare-server.ts) on the same Postgres, in the same run, driven by
 * `wrk` (apt-get install -y wrk): GET a playbook (the 8.9 KB starter copy and the 130 KB AppWorld
 * fixture), GET /v1/auth/me with an API key, POST an outcome (all clients on one playbook, and
 * spread over 64). Prints a markdown table: app / bare / ratio, with p50 and p99.
 * With --conditional, also GET of the text with a current If-None-Match (304).
 * With --statements, ends with the statements that took the database's time (pg_stat_statements).
 * Usage: bun run bench:rest [--seconds=5] [--connections=64] [--conditional] [--statements]
 */
import { APPWORLD, arg, benchFixture, formatTable, OUTCOME, type Row, startBare } from "./support/compare.ts";
import { startBenchServer } from "./support/server.ts";
import { printStatements, resetStatements } from "./support/statements.ts";
import { runWrk } from "./support/wrk.ts";

const seconds = arg("seconds", 5);
const connections = arg("connections", 64);

const server = await startBenchServer({
  PLAYBOOK_MAX_BYTES: String(256 * 1024),
  EVOLUTION_OUTCOME_THRESHOLD: "10000", // the highest allowed: measure the write path, not evolutions
  // The rate-limit statement stays on the write path, as in production, with a limit the run cannot reach.
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_OUTCOMES_PER_HOUR: "100000000",
});
const bare = await startBare(server.dbUrl);
try {
  await resetStatements(server.pool);
  const f = await benchFixture(server.base);
  const auth = { "x-api-key": f.key };
  const post = { ...auth, "content-type": "application/json" };
  const body = JSON.stringify(OUTCOME);
  const load = (
    urls: string[],
    extra: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => runWrk({ urls, connections, seconds, ...extra });
  const appGet = (id: string) => `${server.base}/v1/playbooks/${id}`;
  const bareGet = (id: string) => `${bare.base}/playbooks/${id}?user=${f.userId}`;
  const appPost = (id: string) => `${server.base}/v1/playbooks/${id}/outcomes`;
  const barePost = (id: string) => `${bare.base}/playbooks/${id}/outcomes?user=${f.userId}`;
  const size = async (url: string, headers = {}) =>
    (await (await fetch(url, { headers })).arrayBuffer()).byteLength;

  await runWrk({ urls: [appGet(f.small)], headers: auth, connections, seconds: 1 }); // warm-up
  await runWrk({ urls: [bareGet(f.small)], connections, seconds: 1 });
  const rows: Row[] = [];
  for (const [label, id] of [
    ["GET playbook", f.small],
    ["GET playbook", f.large],
  ] as const) {
    const bytes = await size(appGet(id), auth);
    const bareBytes = await size(bareGet(id));
    const name = `${label}, ${(bytes / 1024).toFixed(1)} KB (bare ${(bareBytes / 1024).toFixed(1)} KB)`;
    rows.push({ name, app: await load([appGet(id)], { headers: auth }), bare: await load([bareGet(id)]) });
  }
  if (Bun.argv.includes("--conditional")) {
    // Issue 13's conditional GET: an agent re-fetching the text it already has (304, no body).
    const text = `${appGet(f.small)}?format=text`;
    const tag = (await fetch(text, { headers: auth })).headers.get("etag");
    if (tag) {
      rows.push({
        name: "GET playbook text, If-None-Match current (304)",
        app: await load([text], { headers: { ...auth, "if-none-match": tag } }),
        bare: await load([bareGet(f.small)]),
      });
    }
  }
  rows.push({
    name: "GET /v1/auth/me with an API key (bare: select 1)",
    app: await load([`${server.base}/v1/auth/me`], { headers: auth }),
    bare: await load([`${bare.base}/select-1`]),
  });
  rows.push({
    name: `POST outcome, ${connections} clients on one playbook`,
    app: await load([appPost(f.small)], { method: "POST", headers: post, body }),
    bare: await load([barePost(f.small)], { method: "POST", headers: post, body }),
  });
  rows.push({
    name: `POST outcome, ${connections} clients over ${f.many.length} playbooks`,
    app: await load(f.many.map(appPost), { method: "POST", headers: post, body }),
    bare: await load(f.many.map(barePost), { method: "POST", headers: post, body }),
  });
  console.log(
    formatTable(
      `bench:rest — wrk, ${connections} connections, ${seconds} s per route; AppWorld fixture ${APPWORLD.length} bytes`,
      rows,
    ),
  );
  await printStatements(server.pool);
} finally {
  await bare.stop();
  await server.stop();
}
