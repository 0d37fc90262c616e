import path from "node:path";

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface LoadSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  concurrency: number;
  seconds: number;
  /** MCP: a 200 carrying a JSON-RPC error or a tool result with isError counts as an error too. */
  jsonRpc?: boolean;
}

/** Runs the load generator in a child process and returns its figures. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const proc = Bun.spawn(["bun", path.join(import.meta.dir, "load-client.ts"), JSON.stringify(spec)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const output = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`load client failed for ${spec.url}`);
  return JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as LoadResult;
}

export const formatRow = (name: string, r: LoadResult, base?: LoadResult) =>
  [
    name.padEnd(40),
    `${Math.round(r.rps)} req/s`.padStart(14),
    `p50 ${r.p50.toFixed(2)} ms`.padStart(14),
    `p99 ${r.p99.toFixed(2)} ms`.padStart(14),
    base
      ? `  vs SELECT 1: ${(r.rps / base.rps).toFixed(2)}× rate, ${(r.p50 / base.p50).toFixed(1)}× p50, ${(r.p99 / base.p99).toFixed(1)}× p99`
      : "",
    r.errors ? `  ${r.errors} errors!` : "",
  ].join("");
