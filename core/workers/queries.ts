import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** Every SQL statement of queue-worker liveness (heartbeats and taking over stale locks). */

const secondsAgo = (seconds: number) => sql.fragment`now() - make_interval(secs => ${seconds})`;

export const recordHeartbeats = (db: CommonQueryMethods, workerIds: readonly string[]) =>
  db.query(sql.unsafe`
    insert into worker_heartbeats (worker_id, last_seen_at)
    select unnest(${sql.array([...workerIds], "text")}), now()
    on conflict (worker_id) do update set last_seen_at = excluded.last_seen_at`);

/**
 * Workers holding a job locked more than `staleSeconds` ago whose heartbeat is older than that
 * (or missing): killed or lost processes.
 */
export const staleLockHolders = (db: CommonQueryMethods, staleSeconds: number) =>
  db.anyFirst(sql.type(z.object({ locked_by: z.string() }))`
    select distinct j.locked_by from graphile_worker._private_jobs j
    where j.locked_by is not null
      and j.locked_at < ${secondsAgo(staleSeconds)}
      and not exists (
        select 1 from worker_heartbeats h
        where h.worker_id = j.locked_by and h.last_seen_at > ${secondsAgo(staleSeconds)})`);

/** Hands the jobs of these workers back to the queue. */
export const forceUnlockWorkers = (db: CommonQueryMethods, workerIds: readonly string[]) =>
  db.query(sql.unsafe`select graphile_worker.force_unlock_workers(${sql.array([...workerIds], "text")})`);

/**
 * Wakes idle queue workers at once, the way graphile-worker's own `add_job` does (its listeners
 * take `count` jobs), instead of leaving unlocked jobs to the next poll.
 */
export const nudgeQueueWorkers = (db: CommonQueryMethods, count: number) =>
  db.query(
    sql.unsafe`select pg_notify('jobs:insert', json_build_object('r', random(), 'count', ${count}::int)::text)`,
  );

export const pruneHeartbeats = (db: CommonQueryMethods, olderThanSeconds: number) =>
  db.query(sql.unsafe`delete from worker_heartbeats where last_seen_at < ${secondsAgo(olderThanSeconds)}`);

export const deleteHeartbeats = (db: CommonQueryMethods, workerIds: readonly string[]) =>
  db.query(
    sql.unsafe`delete from worker_heartbeats where worker_id = any(${sql.array([...workerIds], "text")})`,
  );

/**
 * Deletes up to `batch` queue jobs that ran out of attempts before `before` (graphile-worker
 * deletes completed jobs itself and keeps failed ones for diagnosis), through its own
 * `complete_jobs`, which skips any job a worker holds. Returns how many went.
 */
export const deleteFailedQueueJobs = (db: CommonQueryMethods, before: Date, batch: number) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from graphile_worker.complete_jobs(array(
      select id from graphile_worker.jobs
      where attempts >= max_attempts and locked_at is null and updated_at < ${sql.timestamp(before)}
      order by id limit ${batch}))`);
