import type { DatabasePool } from "slonik";
import { queueDepth } from "./queries.ts";
import {
  dbPoolIdle,
  dbPoolInUse,
  dbPoolMax,
  dbPoolWaiting,
  queueJobs,
  queueOldestWaiting,
  registry,
} from "./registry.ts";

/** A pool's numbers at one instant. */
export interface PoolStats {
  inUse: number;
  idle: number;
  waiting: number;
  max: number;
}

const pools = new Map<string, () => PoolStats>();
let queueSource: DatabasePool | null = null;

/**
 * Reports a pool's in-use, idle and waiting counts at every scrape, under `name` (api, worker,
 * queue). A later pool of the same name replaces the earlier one. Returns a function that stops
 * reporting it (call it when the pool closes).
 */
export function watchPool(name: string, stats: () => PoolStats): () => void {
  pools.set(name, stats);
  return () => {
    if (pools.get(name) !== stats) return;
    pools.delete(name);
    for (const gauge of [dbPoolInUse, dbPoolIdle, dbPoolWaiting, dbPoolMax]) gauge.remove({ pool: name });
  };
}

/** A slonik pool's numbers, for `watchPool`. */
export const slonikPoolStats =
  (pool: DatabasePool, max: number): (() => PoolStats) =>
  () => {
    const state = pool.state();
    return {
      inUse: state.acquiredConnections,
      idle: state.idleConnections,
      waiting: state.waitingClients,
      max,
    };
  };

/** Reads the queue gauges through `pool` at scrape time; the latest pool given wins. Returns an unwatch. */
export function watchQueue(pool: DatabasePool): () => void {
  queueSource = pool;
  return () => {
    if (queueSource === pool) queueSource = null;
  };
}

/**
 * What a composed half registers: its pool's usage under `name`, and the queue depth read
 * through that pool. Returns a function that stops both (call it before the pool ends).
 */
export function watchDatabase(name: string, pool: DatabasePool, maxPoolSize: number): () => void {
  const stops = [watchPool(name, slonikPoolStats(pool, maxPoolSize)), watchQueue(pool)];
  return () => {
    for (const stop of stops) stop();
  };
}

const QUEUE_STATES = ["waiting", "scheduled", "running", "failed"] as const;

async function refreshQueue(): Promise<void> {
  queueJobs.reset();
  queueOldestWaiting.reset();
  if (!queueSource) return;
  const rows = await queueDepth(queueSource);
  for (const row of rows) {
    for (const state of QUEUE_STATES) queueJobs.set({ task: row.task, state }, row[state]);
  }
  queueOldestWaiting.set(Math.max(0, ...rows.map((r) => r.oldest_waiting_seconds ?? 0)));
}

function refreshPools(): void {
  for (const [pool, stats] of pools) {
    const s = stats();
    dbPoolInUse.set({ pool }, s.inUse);
    dbPoolIdle.set({ pool }, s.idle);
    dbPoolWaiting.set({ pool }, s.waiting);
    dbPoolMax.set({ pool }, s.max);
  }
}

/**
 * The Prometheus text of this process, with the pool and queue gauges read now. A database that
 * does not answer leaves the queue gauges out of this scrape (their absence is the signal)
 * rather than failing it: process and request metrics matter most when the database is down.
 */
export async function renderMetrics(onError: (error: unknown) => void = () => {}): Promise<string> {
  refreshPools();
  await refreshQueue().catch((error: unknown) => {
    queueJobs.reset();
    queueOldestWaiting.reset();
    onError(error);
  });
  return registry.metrics();
}

export const METRICS_CONTENT_TYPE = registry.contentType;
