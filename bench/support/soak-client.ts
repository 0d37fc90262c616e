import { writeFileSync } from "node:fs";
import {
  type AckedOutcome,
  OP_WEIGHTS,
  type OpName,
  type OpStats,
  type SoakResult,
  type SoakSpec,
  type SoakTenant,
} from "./soak-mix.ts";

/**
 * The soak's load generator, run as its own process so it never shares the server's or the fake
 * LLM's event loop: `bun bench/support/soak-client.ts '<SoakSpec json>'` writes a SoakResult to
 * `spec.resultFile`. Sends only to `spec.base` (loopback). Every 2xx outcome report is kept with
 * its idempotency key and id, for the database check afterwards; 1 in 20 REST reports is sent a
 * second time with the same key, as a client retrying after a lost response would.
 */

const spec = JSON.parse(Bun.argv[2] ?? "{}") as SoakSpec;
const latencies = new Map<OpName, number[]>();
const errors = new Map<OpName, number>();
const errorSamples: string[] = [];
const acked: AckedOutcome[] = [];
let retries = 0;
const resets: string[] = [];
let retryMismatches = 0;
let evolutionsQueued = 0;
let shed = 0;
let keySeq = 0;

const ops = (Object.entries(OP_WEIGHTS) as Array<[OpName, number]>).filter(
  ([name]) => spec.usage || name !== "person usage",
);
const totalWeight = ops.reduce((sum, [, w]) => sum + w, 0);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

function pickOp(): OpName {
  let r = Math.random() * totalWeight;
  for (const [name, weight] of ops) {
    r -= weight;
    if (r <= 0) return name;
  }
  return ops[0]![0];
}

/** Session tokens of the people, one per tenant (from setup), replaced by each sign-in. */
const sessions = new Map<string, string>(spec.tenants.map((t) => [t.email, t.sessionToken]));

class OpError extends Error {}

async function call(
  path: string,
  init: { method?: string; headers: Record<string, string>; body?: unknown },
): Promise<unknown> {
  const send = () =>
    fetch(`${spec.base}${path}`, {
      method: init.method ?? "GET",
      headers: { "content-type": "application/json", ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  let response: Response;
  try {
    response = await send();
  } catch (error) {
    // A connection closed under the request (no HTTP answer at all): retried once, as a client
    // would; safe for writes because every outcome report carries its idempotency key.
    resets.push(
      `${init.method ?? "GET"} ${path.replace(/[0-9a-f-]{36}/g, "{id}")}: ${(error as Error).message.split(".")[0]}`,
    );
    response = await send();
  }
  const text = await response.text();
  if (!response.ok)
    throw new OpError(`${init.method ?? "GET"} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

async function mcp(tenant: SoakTenant, tool: string, args: Record<string, unknown>) {
  const message = (await call("/mcp", {
    method: "POST",
    headers: {
      authorization: `Bearer ${tenant.apiKey}`,
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: tool, arguments: args } },
  })) as { error?: unknown; result?: { isError?: boolean; structuredContent?: Record<string, unknown> } };
  if (message.error || !message.result || message.result.isError) {
    throw new OpError(`MCP ${tool}: ${JSON.stringify(message).slice(0, 200)}`);
  }
  return message.result.structuredContent ?? {};
}

const outcomeBody = (n: number) => ({
  task_description: `Soak task ${n}: sync the contacts of two apps`,
  outcome: pick(["success", "success", "failure", "partial"] as const),
  reasoning_trace: "Listed both apps' contacts, matched them by email, added the missing ones.",
  bullets_used: ["str-00001"],
});

type Recorded = { outcome_id: string; queued_evolution_id: string | null };

function ack(playbookId: string, key: string, recorded: Recorded, via: AckedOutcome["via"]): void {
  if (typeof recorded.outcome_id !== "string") throw new OpError(`${via} report without outcome_id`);
  acked.push({ playbookId, key, outcomeId: recorded.outcome_id, via });
  if (recorded.queued_evolution_id) evolutionsQueued++;
}

function person(tenant: SoakTenant): Record<string, string> {
  return { authorization: `Bearer ${sessions.get(tenant.email)}` };
}

async function signIn(tenant: SoakTenant): Promise<void> {
  const session = (await call("/v1/auth/login", {
    method: "POST",
    headers: {},
    body: { email: tenant.email, password: tenant.password },
  })) as { access_token: string };
  sessions.set(tenant.email, session.access_token);
}

async function latestVersion(tenant: SoakTenant, id: string): Promise<number> {
  const page = (await call(`/v1/playbooks/${id}/versions?limit=1`, { headers: person(tenant) })) as {
    items: Array<{ version_number: number }>;
  };
  return page.items[0]?.version_number ?? 1;
}

async function run(op: OpName): Promise<void> {
  const tenant = pick(spec.tenants);
  const id = pick(tenant.playbookIds);
  const agent = { "x-api-key": tenant.apiKey };
  switch (op) {
    case "agent REST get_playbook":
      await call(`/v1/playbooks/${id}`, { headers: agent });
      return;
    case "agent MCP  get_playbook":
      await mcp(tenant, "get_playbook", { playbook_id: id });
      return;
    case "agent MCP  list_playbooks":
      await mcp(tenant, "list_playbooks", {});
      return;
    case "agent REST report_outcome": {
      const n = keySeq++;
      const key = `${spec.keyPrefix}-r${n}`;
      const body = outcomeBody(n);
      const send = () =>
        call(`/v1/playbooks/${id}/outcomes`, {
          method: "POST",
          headers: { ...agent, "idempotency-key": key },
          body,
        }) as Promise<Recorded>;
      const recorded = await send();
      ack(id, key, recorded, "rest");
      if (n % 20 === 0) {
        retries++;
        const again = await send();
        if (again.outcome_id !== recorded.outcome_id) retryMismatches++;
      }
      return;
    }
    case "agent MCP  report_outcome": {
      const n = keySeq++;
      const key = `${spec.keyPrefix}-m${n}`;
      const recorded = (await mcp(tenant, "report_outcome", {
        playbook_id: id,
        client_outcome_id: key,
        ...outcomeBody(n),
      })) as Recorded;
      ack(id, key, recorded, "mcp");
      return;
    }
    case "person sign_in":
      await signIn(tenant);
      return;
    case "person list_playbooks":
      await call("/v1/playbooks?limit=20", { headers: person(tenant) });
      return;
    case "person list_versions":
      await call(`/v1/playbooks/${id}/versions?limit=20`, { headers: person(tenant) });
      return;
    case "person read_version": {
      const v = await latestVersion(tenant, id);
      await call(`/v1/playbooks/${id}/versions/${v}`, { headers: person(tenant) });
      return;
    }
    case "person version_diff": {
      const v = await latestVersion(tenant, id);
      // Version 1 has no predecessor: the dashboard shows its text instead of a diff.
      const path = v > 1 ? `/v1/playbooks/${id}/versions/${v}/diff` : `/v1/playbooks/${id}/versions/1`;
      await call(path, { headers: person(tenant) });
      return;
    }
    case "person list_outcomes":
      await call(`/v1/playbooks/${id}/outcomes?limit=20`, { headers: person(tenant) });
      return;
    case "person list_api_keys":
      await call("/v1/auth/api-keys", { headers: person(tenant) });
      return;
    case "person usage":
      await call("/v1/usage", { headers: person(tenant) });
      return;
  }
}

let inFlight = 0;

async function timed(op: OpName): Promise<void> {
  inFlight++;
  const started = performance.now();
  try {
    await run(op);
  } catch (error) {
    errors.set(op, (errors.get(op) ?? 0) + 1);
    if (errorSamples.length < 20) errorSamples.push(`${op}: ${(error as Error).message}`);
  } finally {
    inFlight--;
    const list = latencies.get(op) ?? [];
    list.push(performance.now() - started);
    latencies.set(op, list);
  }
}

const MAX_IN_FLIGHT = 256;
const started = performance.now();
const deadline = started + spec.seconds * 1000;
if (spec.mode === "closed") {
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (performance.now() < deadline) await timed(pickOp());
    }),
  );
} else {
  // Open loop: ops are due at a fixed rate whatever the server's speed (a slow server is not
  // given a break); a backlog beyond MAX_IN_FLIGHT is shed and counted instead of piling up.
  const pending = new Set<Promise<void>>();
  let launched = 0;
  while (performance.now() < deadline) {
    const due = Math.floor(((performance.now() - started) / 1000) * spec.rate);
    for (; launched < due; launched++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        shed++;
        continue;
      }
      const p = timed(pickOp());
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
    await Bun.sleep(2);
  }
  await Promise.all(pending);
}
const seconds = (performance.now() - started) / 1000;

const stats: Record<string, OpStats> = {};
for (const [name] of ops) {
  const sorted = (latencies.get(name) ?? []).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  stats[name] = {
    count: sorted.length,
    errors: errors.get(name) ?? 0,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.at(-1) ?? 0,
  };
}
const result: SoakResult = {
  seconds,
  ops: stats,
  errorSamples,
  acked,
  retries,
  retryMismatches,
  shed,
  evolutionsQueued,
  resets,
};
writeFileSync(spec.resultFile, JSON.stringify(result));
