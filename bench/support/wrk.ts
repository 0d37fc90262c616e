import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** What one wrk run measured. Latencies in milliseconds. */
export interface WrkResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface WrkSpec {
  /** One URL, or several on one origin (requests go round-robin over them). */
  urls: string[];
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  seconds?: number;
}

const THREADS = 2;
const lua = (s: string) => `[==[${s}]==]`;

/**
 * Runs `wrk` (the Debian package: `apt-get install -y wrk`) against `spec.urls` and returns its
 * figures. Non-2xx/3xx answers, timeouts and socket errors count as errors. The request is built
 * by a generated Lua script, so POST bodies and headers are exact.
 */
export async function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const origin = new URL(spec.urls[0]!).origin;
  const paths = spec.urls.map((u) => {
    const url = new URL(u);
    return url.pathname + url.search;
  });
  const headers = Object.entries(spec.headers ?? {})
    .map(([k, v]) => `wrk.headers[ ${lua(k)} ] = ${lua(v)}`)
    .join("\n");
  const script = `
wrk.method = ${lua(spec.method ?? "GET")}
${spec.body !== undefined ? `wrk.body = ${lua(spec.body)}` : ""}
${headers}
local paths = { ${paths.map(lua).join(", ")} }
${
  paths.length > 1
    ? `-- Each of the ${THREADS} threads goes round its own share of the paths, so the clients of
-- different threads never send to the same path at once ("64 clients on 64 playbooks").
local threads = 0
setup = function(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local i = 0
request = function()
  i = i + 1
  local share = math.max(1, math.floor(#paths / ${THREADS}))
  return wrk.format(nil, paths[((tid * share + i % share) % #paths) + 1])
end`
    : `wrk.path = paths[1]`
}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("\\nWRK_JSON {\\"requests\\":%d,\\"errors\\":%d,\\"seconds\\":%f,\\"p50\\":%f,\\"p99\\":%f}\\n",
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
  const dir = mkdtempSync(path.join(tmpdir(), "bench-wrk-"));
  try {
    const file = path.join(dir, "script.lua");
    writeFileSync(file, script);
    const args = [
      "wrk",
      `-t${THREADS}`,
      `-c${spec.connections ?? 64}`,
      `-d${spec.seconds ?? 5}s`,
      "--timeout",
      "10s",
    ];
    const proc = Bun.spawn([...args, "-s", file, `${origin}${paths[0]}`], { stdout: "pipe", stderr: "pipe" });
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    if ((await proc.exited) !== 0) throw new Error(`wrk failed: ${err || out}`);
    const line = out.split("\n").find((l) => l.startsWith("WRK_JSON "));
    if (!line) throw new Error(`wrk printed no result: ${out}`);
    const r = JSON.parse(line.slice("WRK_JSON ".length)) as WrkResult & { seconds: number };
    return { requests: r.requests, errors: r.errors, rps: r.requests / r.seconds, p50: r.p50, p99: r.p99 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
