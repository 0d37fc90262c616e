/**
 * `bun run bench:soak [--minutes=10] [--rate=N] [--calibrate-seconds=60]`: the soak test.
 *
 * Runs the real server (`bun main.ts`, API and worker in one process, log level info) on its own
 * throwaway Postgres, with a fake OpenAI-compatible LLM answering valid Reflector/Curator replies
 * after 1–3 s. A load generator in its own process (bench/support/soak-client.ts) plays agents
 * with API keys (playbooks and outcome reports over REST and MCP; evolutions trigger by the
 * outcome threshold) and people with session tokens using the dashboard's API (bench/support/
 * soak-mix.ts has the mix). First a calibration ramp after a warm-up: the mix back to back with
 * 8, 16 and 32 clients; the best step is the maximum throughput; then the soak runs open-loop at half of it (or at --rate ops/s).
 *
 * Prints throughput, errors and p50/p99 per operation, evolutions, and the server's RSS
 * (/proc/<pid>/status VmRSS) at the start, middle and end of the soak. Then checks the database:
 * every acknowledged outcome exists exactly once, every consumed one belongs to a completed
 * evolution, nothing is stuck in the queue. Exits 1 when a target fails: 0 errors, 0 lost or
 * double-counted outcomes, 0 stuck jobs, memory drift under 10%.
 *
 * Rate limiting stays on (its SQL is part of every write) with limits far above the load, so the
 * figures measure the server and not the limiter; password hashing keeps its production cost.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { freePort } from "../core/db/embedded.ts";
import { createDbPool } from "../core/db/pool.ts";
import { createTestDatabase, stopTestCluster } from "../tests/support/cluster.ts";
import { startFakeLlm } from "../tests/support/fake-llm.ts";
import { ROOT } from "../tests/support/process.ts";
import {
  checkDatabase,
  drainEvolutions,
  evolutionCounts,
  evolutionDurations,
} from "./support/soak-checks.ts";
import { SAMPLE_CONTENT, type SoakResult, type SoakSpec, type SoakTenant } from "./support/soak-mix.ts";

const arg = (name: string) => Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const MINUTES = Number(arg("minutes") ?? 10);
const FIXED_RATE = arg("rate") ? Number(arg("rate")) : undefined;
const CALIBRATE_SECONDS = Number(arg("calibrate-seconds") ?? 60);
const TENANTS = 4;
const PLAYBOOKS_PER_TENANT = 5;
const THRESHOLD = 5;
const MAX_DRIFT = 0.1;
const RESULTS = `/tmp/ace-soak-${process.pid}`;
mkdirSync(RESULTS, { recursive: true });

const db = await createTestDatabase();
const fake = await startFakeLlm({ instant: true, latencyMs: [1000, 3000] });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// Its request log (info, one line per request) goes to /dev/null: written as in production, but
// not parsed here on the same two cores. Warnings and errors (stderr) are kept and counted.
const server = Bun.spawn(["bun", "main.ts"], {
  cwd: ROOT,
  env: {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    LOG_LEVEL: "info",
    DATABASE_URL: db.url,
    HOST: "127.0.0.1",
    PORT: String(port),
    JWT_SECRET_KEY: "soak-secret-soak-secret-soak-secret-0123456",
    OPENAI_BASE_URL: fake.baseURL,
    OPENAI_API_KEY: "soak",
    EVOLUTION_OUTCOME_THRESHOLD: String(THRESHOLD),
    RATE_LIMIT_LOGIN_PER_MINUTE: "1000000",
    RATE_LIMIT_OUTCOMES_PER_HOUR: "100000000",
    RATE_LIMIT_EVOLUTIONS_PER_HOUR: "1000000",
    DATA_DIR: `${RESULTS}/data`,
  },
  stdin: "ignore",
  stdout: "ignore",
  stderr: "pipe",
});
const serverStderr = new Response(server.stderr).text();
const pool = await createDbPool(db.url, { maxPoolSize: 2, applicationName: "soak-check" });

function rssMiB(): number {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** CPU seconds the server process has used (user + system), from /proc/<pid>/stat. */
function cpuSeconds(): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function waitReady(): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const ok = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (server.exitCode !== null) throw new Error(`server exited: ${await serverStderr}`);
    await Bun.sleep(200);
  }
  throw new Error("server not ready within 60 s");
}

async function post(pathname: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

async function createTenant(i: number): Promise<SoakTenant> {
  const email = `soak-${i}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = "correct horse battery staple";
  const session = await post("/v1/auth/register", { email, password });
  const token = session.access_token as string;
  const key = await post("/v1/auth/api-keys", { name: "soak agent", scopes: ["read", "write"] }, token);
  const playbookIds: string[] = [];
  for (let p = 0; p < PLAYBOOKS_PER_TENANT; p++) {
    const created = await post("/v1/playbooks", { name: `soak ${i}.${p}`, content: SAMPLE_CONTENT }, token);
    playbookIds.push(created.id as string);
  }
  return { email, password, apiKey: key.key as string, sessionToken: token, playbookIds };
}

async function runClient(tenants: SoakTenant[], spec: Partial<SoakSpec>, label: string): Promise<SoakResult> {
  const full: SoakSpec = {
    base,
    tenants,
    mode: "closed",
    concurrency: 32,
    rate: 0,
    seconds: 10,
    usage: false,
    resultFile: `${RESULTS}/${label}.json`,
    keyPrefix: label,
    ...spec,
  };
  const proc = Bun.spawn(
    ["bun", path.join(import.meta.dir, "support/soak-client.ts"), JSON.stringify(full)],
    {
      stdout: "inherit",
      stderr: "inherit",
    },
  );
  if ((await proc.exited) !== 0) throw new Error(`soak client (${label}) failed`);
  return JSON.parse(readFileSync(full.resultFile, "utf8")) as SoakResult;
}

const total = (r: SoakResult) => Object.values(r.ops).reduce((sum, o) => sum + o.count, 0);
const totalErrors = (r: SoakResult) => Object.values(r.ops).reduce((sum, o) => sum + o.errors, 0);

function printOps(r: SoakResult): void {
  console.log(
    `  ${"operation".padEnd(28)} ${"ops/s".padStart(8)} ${"count".padStart(7)} ${"errors".padStart(6)}` +
      `${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}`,
  );
  for (const [name, o] of Object.entries(r.ops)) {
    console.log(
      `  ${name.padEnd(28)} ${(o.count / r.seconds).toFixed(1).padStart(8)} ${String(o.count).padStart(7)} ` +
        `${String(o.errors).padStart(6)}${o.p50.toFixed(1).padStart(9)}${o.p99.toFixed(1).padStart(9)}${o.max.toFixed(0).padStart(9)}`,
    );
  }
  console.log(
    `  ${"all".padEnd(28)} ${(total(r) / r.seconds).toFixed(1).padStart(8)} ${String(total(r)).padStart(7)} ${String(totalErrors(r)).padStart(6)}`,
  );
  for (const sample of r.errorSamples.slice(0, 5)) console.log(`  error: ${sample}`);
}

let exitCode = 1;
try {
  await waitReady();
  const rssBoot = rssMiB();
  const tenants = await Promise.all(Array.from({ length: TENANTS }, (_, i) => createTenant(i)));
  const playbookIds = tenants.flatMap((t) => t.playbookIds);
  const probe = await post("/v1/auth/login", { email: tenants[0]!.email, password: tenants[0]!.password });
  const usageStatus = (
    await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${probe.access_token}` } })
  ).status;
  const usage = usageStatus !== 404;
  console.log(
    `bench:soak — ${TENANTS} users × ${PLAYBOOKS_PER_TENANT} playbooks, outcome threshold ${THRESHOLD}, fake LLM 1–3 s per call; ` +
      `GET /v1/usage ${usage ? `included (answers ${usageStatus})` : "skipped (404: not on this server)"}`,
  );
  console.log(`server RSS after boot: ${rssBoot.toFixed(1)} MiB`);

  const phases: SoakResult[] = [];
  let rate = FIXED_RATE;
  if (rate === undefined) {
    // The warm-up gets evolutions flowing: the first seconds of load carry none of their cost (they
    // start after the threshold and run 1-3 s LLM calls), so a ramp from cold would overestimate.
    phases.push(
      await runClient(tenants, { concurrency: 16, seconds: CALIBRATE_SECONDS / 3, usage }, "warmup"),
    );
    // A ramp: 8, 16 and 32 clients back to back, a third of the time each; the best step is the
    // maximum (a busy neighbour on the shared cores during one step does not decide it alone).
    const steps: Array<{ clients: number; result: SoakResult; cpuMs: number; load: number }> = [];
    for (const clients of [8, 16, 32]) {
      const cpuBefore = cpuSeconds();
      const load = loadavg()[0]!;
      const result = await runClient(
        tenants,
        { concurrency: clients, seconds: CALIBRATE_SECONDS / 3, usage },
        `calibrate${clients}`,
      );
      phases.push(result);
      steps.push({ clients, result, cpuMs: (cpuSeconds() - cpuBefore) * 1000, load });
    }
    console.log(`\ncalibration ramp (${CALIBRATE_SECONDS / 3} s per step, the mix back to back):`);
    for (const step of steps) {
      const r = step.result;
      const p99 = Math.max(...Object.values(r.ops).map((o) => o.p99));
      console.log(
        `  ${String(step.clients).padStart(2)} clients: ${(total(r) / r.seconds).toFixed(1)} ops/s, ${totalErrors(r)} errors, ` +
          `worst p99 ${p99.toFixed(0)} ms, server ${(step.cpuMs / total(r)).toFixed(1)} CPU ms per op, machine load average ${step.load.toFixed(1)} on ${cpus().length} cores`,
      );
    }
    const best = steps.reduce((a, b) =>
      total(b.result) / b.result.seconds > total(a.result) / a.result.seconds ? b : a,
    );
    const max = total(best.result) / best.result.seconds;
    rate = Math.max(1, Math.round(max / 2));
    console.log(`maximum ${max.toFixed(1)} ops/s (${best.clients} clients), per operation:`);
    printOps(best.result);
    // Let the evolutions the calibration queued run down, so the soak starts from a steady state.
    await drainEvolutions(pool, playbookIds, THRESHOLD, 120_000);
  }

  const seconds = MINUTES * 60;
  const before = await evolutionCounts(pool, playbookIds);
  const soakStarted = new Date();
  const rssIdleBefore = rssMiB();
  // Memory is compared under the same load, as the median of the 5-second VmRSS samples in three
  // windows of a minute (a quarter of a short run): "start" is the second minute (the first one
  // ramps up from idle), "middle" is centred on half-time, "end" is the last minute. One reading
  // alone swings with the momentary backlog (requests in flight, evolutions running); the single
  // readings at those times are printed too.
  const rss = { start: Number.NaN, middle: Number.NaN, end: Number.NaN };
  const samples: Array<{ at: number; mib: number }> = [];
  const window = Math.min(60, seconds / 4);
  const timers = [
    setTimeout(() => (rss.start = rssMiB()), window * 1000),
    setTimeout(() => (rss.middle = rssMiB()), (seconds / 2) * 1000),
    setTimeout(() => (rss.end = rssMiB()), (seconds - 1) * 1000),
  ];
  const soakT0 = performance.now();
  const sampler = setInterval(
    () => samples.push({ at: (performance.now() - soakT0) / 1000, mib: rssMiB() }),
    5_000,
  );
  const cpuStart = cpuSeconds();
  const loadStart = loadavg()[0]!;
  console.log(
    `\nsoak: ${MINUTES} min open-loop at ${rate} ops/s${FIXED_RATE ? " (--rate)" : " (half the calibrated maximum)"}`,
  );
  const soak = await runClient(tenants, { mode: "open", rate, seconds, usage }, "soak");
  const soakCpu = cpuSeconds() - cpuStart;
  const loadEnd = loadavg()[0]!;
  for (const t of timers) clearTimeout(t);
  clearInterval(sampler);
  phases.push(soak);
  printOps(soak);
  console.log(
    `  server process CPU ${soakCpu.toFixed(0)} s in ${soak.seconds.toFixed(0)} s (${((soakCpu / soak.seconds) * 100).toFixed(0)}% of one core, ` +
      `${((soakCpu * 1000) / total(soak)).toFixed(1)} ms per op); machine load average ${loadStart.toFixed(1)} → ${loadEnd.toFixed(1)} on ${cpus().length} cores`,
  );

  const drained = await drainEvolutions(pool, playbookIds, THRESHOLD, 180_000);
  const acked = phases.flatMap((p) => p.acked);
  const checks = await checkDatabase(pool, playbookIds, acked, THRESHOLD);
  const rssIdleAfter = rssMiB();
  const median = (from: number, to: number) => {
    const values = samples
      .filter((x) => x.at >= from && x.at < to)
      .map((x) => x.mib)
      .sort((x, y) => x - y);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const windows = {
    start: median(window, 2 * window),
    middle: median(seconds / 2 - window / 2, seconds / 2 + window / 2),
    end: median(seconds - window, seconds + 1),
  };
  const drift = (windows.end - windows.start) / windows.start;
  const pointDrift = (rss.end - rss.start) / rss.start;
  const mibs = samples.map((x) => x.mib);
  const soakEvolutions = checks.evolutions.completed - before.completed;
  const durations = await evolutionDurations(pool, playbookIds, soakStarted);
  const secs = (v: number | null) => (v === null ? "-" : `${v.toFixed(1)} s`);
  const retries = phases.reduce((s, p) => s + p.retries, 0);
  const retryMismatches = phases.reduce((s, p) => s + p.retryMismatches, 0);
  const calibrationErrors = phases.filter((p) => p !== soak).reduce((s, p) => s + totalErrors(p), 0);

  console.log(
    `\nevolutions: ${soakEvolutions} completed during the soak (${(soakEvolutions / (seconds / 60)).toFixed(1)}/min), ` +
      `${checks.evolutions.completed} in the whole run, ${checks.evolutions.failed} failed, ` +
      `${checks.evolutions.queued + checks.evolutions.running} still queued/running after the drain${drained ? "" : " (drain TIMED OUT)"}; ${fake.requests.length} fake LLM calls. ` +
      `Evolutions queued during the soak: wait p50 ${secs(durations.wait_p50)}, run p50 ${secs(durations.run_p50)}, run p99 ${secs(durations.run_p99)}, queued→completed p99 ${secs(durations.total_p99)}`,
  );
  console.log(
    `server RSS under load, medians of ${window} s windows: start ${windows.start.toFixed(1)}, middle ${windows.middle.toFixed(1)}, end ${windows.end.toFixed(1)} MiB → drift ${(drift * 100).toFixed(1)}%; ` +
      `single readings ${rss.start.toFixed(1)}, ${rss.middle.toFixed(1)}, ${rss.end.toFixed(1)} MiB (${(pointDrift * 100).toFixed(1)}%); ` +
      `min ${Math.min(...mibs).toFixed(1)}, max ${Math.max(...mibs).toFixed(1)} over ${mibs.length} samples every 5 s; ` +
      `idle: after boot ${rssBoot.toFixed(1)}, before the soak ${rssIdleBefore.toFixed(1)}, after it and the drain ${rssIdleAfter.toFixed(1)} MiB`,
  );
  console.log(
    `outcomes: ${checks.acked} acknowledged (${acked.filter((a) => a.via === "mcp").length} over MCP; ${retries} REST retries with the same key, ${retryMismatches} answered another id); ` +
      `in the database ${checks.rows} rows: ${checks.lost} lost, ${checks.doubled} double, ${checks.unacknowledged} never acknowledged; ` +
      `${checks.consumed} consumed by evolutions (${checks.consumedUnlinked} not linked to a completed one), ${checks.pending} pending`,
  );
  console.log(
    `queue: ${checks.queue.map((q) => `${q.task_identifier} ${q.n} (overdue ${q.overdue}, locked >5 min ${q.locked_long}, exhausted ${q.exhausted}, with an error ${q.with_error})`).join("; ") || "empty"}; ` +
      `${checks.stalledPlaybooks} playbooks owed an evolution`,
  );
  const resets = phases.flatMap((p) => p.resets);
  if (resets.length) {
    const kinds = new Map<string, number>();
    for (const r of resets) kinds.set(r, (kinds.get(r) ?? 0) + 1);
    console.log(
      `connection resets (no HTTP answer; retried once, the retry answered): ${resets.length} — ` +
        [...kinds].map(([k, n]) => `${n}× ${k}`).join("; "),
    );
  }
  if (calibrationErrors) console.log(`calibration/warm-up errors (not a soak target): ${calibrationErrors}`);

  const failures = [
    totalErrors(soak) > 0 && `${totalErrors(soak)} errors`,
    soak.shed > 0 && `${soak.shed} ops shed (more than 256 in flight)`,
    checks.lost > 0 && `${checks.lost} outcomes lost`,
    (checks.doubled > 0 || retryMismatches > 0) && "outcomes double counted",
    checks.unacknowledged > 0 && `${checks.unacknowledged} outcome rows nobody got a 2xx for`,
    checks.consumedUnlinked > 0 &&
      `${checks.consumedUnlinked} consumed outcomes without a completed evolution`,
    checks.evolutions.failed > 0 && `${checks.evolutions.failed} evolutions failed`,
    // A drain that times out with every slot busy is a backlog, reported above, not a failure.
    (checks.stuckQueueJobs > 0 || checks.stalledPlaybooks > 0) && "stuck jobs",
    !(drift < MAX_DRIFT) && `memory drift ${(drift * 100).toFixed(1)}% ≥ ${MAX_DRIFT * 100}%`,
  ].filter(Boolean);
  console.log(failures.length ? `\nFAILED: ${failures.join(", ")}` : "\nall targets met");
  exitCode = failures.length ? 1 : 0;
} finally {
  server.kill("SIGTERM");
  await server.exited;
  const stderr = await serverStderr;
  const warnings = stderr
    .split("\n")
    .filter((l) => l.includes('"level":"warn"') || l.includes('"level":"error"'));
  if (warnings.length) {
    console.log(`server logged ${warnings.length} warn/error lines, the first:`);
    for (const line of warnings.slice(0, 5)) console.log(`  ${line.slice(0, 300)}`);
  }
  await pool.end();
  await fake.stop();
  await db.drop();
  await stopTestCluster();
  rmSync(RESULTS, { recursive: true, force: true });
}
process.exit(exitCode);
