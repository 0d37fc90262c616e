import type { Runner } from "graphile-worker";
import { type DatabasePool, sql } from "slonik";
import { z } from "zod";
import type { Logger } from "../core/logger.ts";

/**
 * graphile-worker only reclaims a job whose worker died after its 4-hour lock timeout. We do it in
 * about a minute: every worker process heartbeats its worker ids, and each one periodically
 * unlocks jobs held by workers whose heartbeat went stale (killed with SIGKILL, machine lost).
 * A job locked less than `staleSeconds` ago is never touched, so a worker that has just picked a
 * job and not yet heartbeated is safe.
 */
export function startLiveness(
  runner: Runner,
  pool: DatabasePool,
  logger: Logger,
  staleSeconds: number,
): { workerIds: Set<string>; stop(): Promise<void> } {
  const workerIds = new Set<string>();
  const tick = (fn: () => Promise<void>, name: string) => () =>
    fn().catch((error) => logger.warn(`worker ${name} failed`, { error: (error as Error).message }));
  runner.events.on("worker:create", ({ worker }) => {
    workerIds.add(worker.workerId);
    void tick(beat, "heartbeat")();
  });
  runner.events.on("worker:stop", ({ worker }) => workerIds.delete(worker.workerId));

  async function beat() {
    if (workerIds.size === 0) return;
    await pool.query(sql.unsafe`
      insert into worker_heartbeats (worker_id, last_seen_at)
      select unnest(${sql.array([...workerIds], "text")}), now()
      on conflict (worker_id) do update set last_seen_at = excluded.last_seen_at`);
  }

  async function reap() {
    const stale = await pool.anyFirst(sql.type(z.object({ locked_by: z.string() }))`
      select distinct j.locked_by from graphile_worker._private_jobs j
      where j.locked_by is not null
        and j.locked_at < now() - make_interval(secs => ${staleSeconds})
        and not exists (
          select 1 from worker_heartbeats h
          where h.worker_id = j.locked_by and h.last_seen_at > now() - make_interval(secs => ${staleSeconds}))`);
    if (stale.length > 0) {
      await pool.query(sql.unsafe`select graphile_worker.force_unlock_workers(${sql.array(stale, "text")})`);
      logger.warn("unlocked jobs of unresponsive workers", { workers: stale });
    }
    await pool.query(sql.unsafe`
      delete from worker_heartbeats where last_seen_at < now() - make_interval(secs => ${staleSeconds * 10})`);
  }

  const heartbeat = setInterval(tick(beat, "heartbeat"), Math.max(500, (staleSeconds * 1000) / 4));
  const reaper = setInterval(tick(reap, "lock reaper"), Math.max(1000, (staleSeconds * 1000) / 2));
  void tick(reap, "lock reaper")();
  return {
    workerIds,
    stop: async () => {
      clearInterval(heartbeat);
      clearInterval(reaper);
      if (workerIds.size > 0) {
        await pool.query(
          sql.unsafe`delete from worker_heartbeats where worker_id = any(${sql.array([...workerIds], "text")})`,
        );
      }
    },
  };
}
