import type { DatabasePool } from "slonik";
import {
  deleteHeartbeats,
  forceUnlockWorkers,
  nudgeQueueWorkers,
  pruneHeartbeats,
  recordHeartbeats,
  staleLockHolders,
} from "./queries.ts";

/**
 * Queue-worker liveness: graphile-worker only reclaims a job whose worker died after its 4-hour
 * lock timeout. Every worker process heartbeats its worker ids; any of them periodically unlocks
 * jobs held by workers whose heartbeat went stale (killed with SIGKILL, machine lost). A job
 * locked less than `staleSeconds` ago is never touched, so a worker that has just picked a job and
 * not yet heartbeated is safe.
 */

/** Marks these workers alive now. */
export async function heartbeat(pool: DatabasePool, workerIds: readonly string[]): Promise<void> {
  if (workerIds.length > 0) await recordHeartbeats(pool, workerIds);
}

/**
 * Unlocks the jobs of workers silent for `staleSeconds`, wakes idle workers to take them at once,
 * and forgets heartbeats ten times older. Returns the workers whose jobs were unlocked.
 */
export async function reapStaleWorkers(pool: DatabasePool, staleSeconds: number): Promise<string[]> {
  const stale = await staleLockHolders(pool, staleSeconds);
  if (stale.length > 0) {
    await forceUnlockWorkers(pool, stale);
    await nudgeQueueWorkers(pool, stale.length);
  }
  await pruneHeartbeats(pool, staleSeconds * 10);
  return [...stale];
}

/** Forgets the heartbeats of workers that stopped cleanly. */
export async function forgetWorkers(pool: DatabasePool, workerIds: readonly string[]): Promise<void> {
  if (workerIds.length > 0) await deleteHeartbeats(pool, workerIds);
}
