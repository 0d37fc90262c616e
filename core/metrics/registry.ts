import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's Prometheus metrics: one registry per process (both halves of `bun run start`
 * share it, so one scrape sees the API and the worker). Label values are always from closed sets
 * — route templates, model names from the configuration, outcome kinds — never ids, paths or
 * user input, so the number of series stays bounded whatever the traffic.
 */
export const registry = new Registry();

// Process memory, CPU, open files and event-loop lag (prom-client's own collectors; they work under Bun).
collectDefaultMetrics({ register: registry, prefix: "ace_" });

const SECONDS_FAST = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SECONDS_SLOW = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200];

export const httpRequests = new Counter({
  name: "ace_http_requests_total",
  help: "HTTP requests answered, by method, route template and status",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: "ace_http_request_duration_seconds",
  help: "Time from receiving a request to its response, by method and route template",
  labelNames: ["method", "route"] as const,
  buckets: SECONDS_FAST,
  registers: [registry],
});

export const outcomesRecorded = new Counter({
  name: "ace_outcomes_recorded_total",
  help: "Outcome reports recorded (a retried report with the same idempotency key counts once)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const evolutionsTriggered = new Counter({
  name: "ace_evolutions_triggered_total",
  help: "Evolutions queued, by trigger (manual, threshold, schedule)",
  labelNames: ["trigger"] as const,
  registers: [registry],
});

export const evolutionRuns = new Counter({
  name: "ace_evolution_runs_total",
  help: "Evolution job attempts by result: succeeded, failed (for good), skipped, retrying (will run again)",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const evolutionDuration = new Histogram({
  name: "ace_evolution_duration_seconds",
  help: "Duration of evolution job attempts, by result",
  labelNames: ["result"] as const,
  buckets: SECONDS_SLOW,
  registers: [registry],
});

export const llmCalls = new Counter({
  name: "ace_llm_calls_total",
  help: "Structured LLM requests (a repair call and provider retries included), by model, role and result",
  labelNames: ["model", "role", "result"] as const,
  registers: [registry],
});

export const llmDuration = new Histogram({
  name: "ace_llm_call_duration_seconds",
  help: "Duration of structured LLM requests, by model and role",
  labelNames: ["model", "role"] as const,
  buckets: SECONDS_SLOW,
  registers: [registry],
});

export const llmErrors = new Counter({
  name: "ace_llm_errors_total",
  help: "Failed LLM requests by model, role and kind (rate_limited, server_error, timeout, invalid_output, …)",
  labelNames: ["model", "role", "kind"] as const,
  registers: [registry],
});

export const llmTokens = new Counter({
  name: "ace_llm_tokens_total",
  help: "Tokens billed by the provider, by model, role and type (prompt, completion)",
  labelNames: ["model", "role", "type"] as const,
  registers: [registry],
});

export const llmCost = new Counter({
  name: "ace_llm_cost_usd_total",
  help: "Cost of LLM calls in US dollars (from the price table), by model and role",
  labelNames: ["model", "role"] as const,
  registers: [registry],
});

export const rateLimitRefusals = new Counter({
  name: "ace_rate_limit_refusals_total",
  help: "Requests refused by a rate limit or the account lockout, by limit",
  labelNames: ["limit"] as const,
  registers: [registry],
});

export const authFailures = new Counter({
  name: "ace_auth_failures_total",
  help: "Authentication failures by reason (missing, expired, invalid_token, api_key, invalid_credentials, …)",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const queueJobs = new Gauge({
  name: "ace_queue_jobs",
  help: "Queue jobs by task and state (waiting, scheduled, running, failed), read from the database at scrape time; the same in every process",
  labelNames: ["task", "state"] as const,
  registers: [registry],
});

export const queueOldestWaiting = new Gauge({
  name: "ace_queue_oldest_waiting_seconds",
  help: "Age of the oldest job ready to run but not picked up (0 when none waits), read at scrape time",
  registers: [registry],
});

export const dbPoolInUse = new Gauge({
  name: "ace_db_pool_in_use",
  help: "Database connections of this process checked out, by pool (api, worker, queue)",
  labelNames: ["pool"] as const,
  registers: [registry],
});

export const dbPoolIdle = new Gauge({
  name: "ace_db_pool_idle",
  help: "Open idle database connections of this process, by pool",
  labelNames: ["pool"] as const,
  registers: [registry],
});

export const dbPoolWaiting = new Gauge({
  name: "ace_db_pool_waiting",
  help: "Queries of this process waiting for a free connection, by pool",
  labelNames: ["pool"] as const,
  registers: [registry],
});

export const dbPoolMax = new Gauge({
  name: "ace_db_pool_max",
  help: "Size limit of each database pool of this process",
  labelNames: ["pool"] as const,
  registers: [registry],
});
