import type { Runner } from "graphile-worker";
import type { Core } from "../core/create-core.ts";
import type { Logger } from "../core/logger.ts";

/**
 * Heartbeats this process's graphile-worker ids and periodically takes over jobs of workers whose
 * heartbeat went stale (the rules are core's: `core.workers`). Ticks run at a quarter (heartbeat)
 * and half (reaper) of `staleSeconds`, so a live worker is never mistaken for a dead one.
 */
export function startLiveness(
  runner: Runner,
  core: Core,
  logger: Logger,
  staleSeconds: number,
): { workerIds: Set<string>; stop(): Promise<void> } {
  const workerIds = new Set<string>();
  const tick = (fn: () => Promise<void>, name: string) => () =>
    fn().catch((error) => logger.warn(`worker ${name} failed`, { error: (error as Error).message }));
  const beat = () => core.workers.heartbeat([...workerIds]);
  const reap = async () => {
    const unlocked = await core.workers.reapStale();
    if (unlocked.length > 0) logger.warn("unlocked jobs of unresponsive workers", { workers: unlocked });
  };
  runner.events.on("worker:create", ({ worker }) => {
    workerIds.add(worker.workerId);
    void tick(beat, "heartbeat")();
  });
  runner.events.on("worker:stop", ({ worker }) => workerIds.delete(worker.workerId));

  const heartbeat = setInterval(tick(beat, "heartbeat"), Math.max(500, (staleSeconds * 1000) / 4));
  const reaper = setInterval(tick(reap, "lock reaper"), Math.max(1000, (staleSeconds * 1000) / 2));
  void tick(reap, "lock reaper")();
  return {
    workerIds,
    stop: async () => {
      clearInterval(heartbeat);
      clearInterval(reaper);
      await core.workers.forget([...workerIds]);
    },
  };
}
