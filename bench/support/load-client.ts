import type { LoadSpec } from "./load.ts";

/**
 * Load generator, run as its own process so it does not share the server's event loop:
 * `bun bench/support/load-client.ts '<json spec>'` prints one JSON line of results.
 * Bounded in time and count; sends only to the URL it is given (loopback in our benches).
 */
const spec = JSON.parse(Bun.argv[2] ?? "{}") as LoadSpec & { maxRequests?: number };
const latencies: number[] = [];
let errors = 0;
let sent = 0;
const limit = spec.maxRequests ?? 1_000_000;
const deadline = performance.now() + spec.seconds * 1000;

function failedJsonRpc(text: string): boolean {
  try {
    const message = JSON.parse(text) as { error?: unknown; result?: { isError?: boolean } };
    return message.error !== undefined || message.result?.isError === true;
  } catch {
    return true;
  }
}

async function client(): Promise<void> {
  while (performance.now() < deadline && sent < limit) {
    const n = sent++;
    const body = spec.body?.replaceAll("{{n}}", String(n));
    const started = performance.now();
    const response = await fetch(spec.url, { method: spec.method ?? "GET", headers: spec.headers, body });
    const text = await response.text();
    latencies.push(performance.now() - started);
    if (!response.ok || (spec.jsonRpc && failedJsonRpc(text))) errors++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, client));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  }),
);
