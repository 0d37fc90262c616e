import type { WorkerEvents } from "graphile-worker";
import type { Core } from "../core/create-core.ts";
import type { Logger } from "../core/logger.ts";

/**
 * Heartbeats this process's graphile-worker ids and periodically takes over jobs of workers whose
 * heartbeat went stale (the rules are core's: `core.workers`). The ids that matter are the worker
 * *pool* ids: graphile-worker 0.18 locks jobs as `locked_by = <pool id>`, not as the id of the
 * worker running them, so a pool that did not heartbeat its own id would look dead while its job
 * ran. Worker ids beat too, in case a version locks by those. `events` must be the emitter passed
 * to `run()` (the pool is created inside `run()`, before it returns).
 *
 * Both timers tick five times per `staleSeconds` (every 2 s at the default 10 s): a live process
 * misses four beats in a row before it could be mistaken for a dead one, and a dead one's job is
 * free within `staleSeconds` plus one tick. Timers, not jobs, drive the beats: an evolution
 * waiting on a slow LLM call keeps its process's heartbeat going (the event loop is free).
 */
export function startLiveness(
  events: WorkerEvents,
  core: Core,
  logger: Logger,
  staleSeconds: number,
): { lockerIds: Set<string>; stop(): Promise<void> } {
  const lockerIds = new Set<string>();
  const tick = (fn: () => Promise<void>, name: string) => () =>
    fn().catch((error) => logger.warn(`worker ${name} failed`, { error: (error as Error).message }));
  const beat = () => core.workers.heartbeat([...lockerIds]);
  const reap = async () => {
    const unlocked = await core.workers.reapStale();
    if (unlocked.length > 0) logger.warn("unlocked jobs of unresponsive workers", { workers: unlocked });
  };
  const started = (id: string) => {
    lockerIds.add(id);
    void tick(beat, "heartbeat")();
  };
  events.on("pool:create", ({ workerPool }) => started(workerPool.id));
  events.on("pool:release", ({ workerPool }) => lockerIds.delete(workerPool.id));
  events.on("worker:create", ({ worker }) => started(worker.workerId));
  events.on("worker:stop", ({ worker }) => lockerIds.delete(worker.workerId));

  const every = Math.max(400, (staleSeconds * 1000) / 5);
  const heartbeat = setInterval(tick(beat, "heartbeat"), every);
  const reaper = setInterval(tick(reap, "lock reaper"), every);
  void tick(reap, "lock reaper")();
  return {
    lockerIds,
    stop: async () => {
      clearInterval(heartbeat);
      clearInterval(reaper);
      await core.workers.forget([...lockerIds]);
    },
  };
}
