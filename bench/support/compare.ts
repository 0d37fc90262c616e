import { readFileSync } from "node:fs";
import path from "node:path";
import { benchUserKey } from "./server.ts";
import type { WrkResult } from "./wrk.ts";

/**
 * What bench:rest and bench:mcp share: the bare one-statement server (bare-server.ts, its own
 * process), the benched playbooks, and the app / bare / ratio table.
 */

export const arg = (name: string, fallback: number) =>
  Number(Bun.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);

export const APPWORLD = readFileSync(
  path.resolve(import.meta.dir, "../../tests/fixtures/appworld_online_trained_playbook.txt"),
  "utf8",
);

export const OUTCOME = {
  task_description: "Sync contacts across apps",
  outcome: "success",
  reasoning_trace: "Looked up contacts, matched by email and phone, added missing friends.",
  bullets_used: ["shr-00009", "shr-00071"],
};

export interface BareServer {
  base: string;
  stop(): Promise<void>;
}

/** Starts bench/support/bare-server.ts on the same database, as its own process. */
export async function startBare(dbUrl: string): Promise<BareServer> {
  const proc = Bun.spawn(["bun", path.join(import.meta.dir, "bare-server.ts"), dbUrl], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the bare server exited before listening");
    text += new TextDecoder().decode(value);
  }
  const { port } = JSON.parse(text.split("\n")[0]!) as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

export interface BenchFixture {
  key: string;
  userId: string;
  /** A copy of the coding-agent starter (~8.9 KB as JSON). */
  small: string;
  /** The AppWorld trained playbook (130 KB). */
  large: string;
  /** 64 more small playbooks, for reports spread over many playbooks. */
  many: string[];
}

/** A user with an all-scope API key and the benched playbooks, made through the app's REST API. */
export async function benchFixture(base: string): Promise<BenchFixture> {
  const key = await benchUserKey(base);
  const headers = { "x-api-key": key, "content-type": "application/json" };
  const call = async (p: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${p}`, { ...init, headers });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${p}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  const me = await call("/v1/auth/me");
  const list = (await call("/v1/playbooks?include_starters=true&limit=100")) as {
    items: { id: string; name: string; is_starter: boolean }[];
  };
  const starter =
    list.items.find((p) => p.is_starter && /coding/i.test(p.name)) ?? list.items.find((p) => p.is_starter);
  if (!starter) throw new Error("no starter playbook to copy");
  const create = async (body: unknown) =>
    (await call("/v1/playbooks", { method: "POST", body: JSON.stringify(body) })).id as string;
  const small = await create({ name: "Coding copy", starter_id: starter.id });
  const large = await create({ name: "AppWorld trained", content: APPWORLD });
  const many: string[] = [];
  for (let i = 0; i < 64; i++) many.push(await create({ name: `Spread ${i}`, starter_id: starter.id }));
  return { key, userId: me.id as string, small, large, many };
}

export interface Row {
  name: string;
  app: WrkResult;
  bare?: WrkResult;
  bytes?: number;
}

const fmt = (r: WrkResult) =>
  `${Math.round(r.rps).toLocaleString("en")} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${
    r.errors ? `, ${r.errors} ERRORS` : ""
  }`;

/** The markdown table docs/PERFORMANCE.md records. */
export function formatTable(title: string, rows: Row[]): string {
  const lines = [
    title,
    "",
    "| route | app | bare (one statement) | ratio |",
    "|---|---:|---:|---:|",
    ...rows.map((r) =>
      [
        "",
        r.name,
        fmt(r.app),
        r.bare ? fmt(r.bare) : "",
        r.bare ? `${(r.app.rps / r.bare.rps).toFixed(2)}×` : "",
        "",
      ]
        .join(" | ")
        .trim(),
    ),
  ];
  return lines.join("\n");
}
