import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** The statements behind the scrape-time gauges. Each takes the connection first. */

const QueueRow = z.object({
  task: z.string(),
  waiting: z.number(),
  scheduled: z.number(),
  running: z.number(),
  failed: z.number(),
  oldest_waiting_seconds: z.number().nullable(),
});
export type QueueRow = z.infer<typeof QueueRow>;

/**
 * graphile-worker's queue by task, through its public `jobs` view: ready and unclaimed
 * (waiting), due later or backing off before a retry (scheduled), locked by a worker (running),
 * and out of attempts (failed, kept until retention deletes them). Completed jobs are deleted by
 * graphile-worker itself, so they never show.
 */
export const queueDepth = (db: CommonQueryMethods) =>
  db.any(sql.type(QueueRow)`
    with jobs as (
      select task_identifier, run_at, locked_at, attempts >= max_attempts as exhausted
      from graphile_worker.jobs)
    select task_identifier as task,
      count(*) filter (where locked_at is null and not exhausted and run_at <= now())::int as waiting,
      count(*) filter (where locked_at is null and not exhausted and run_at > now())::int as scheduled,
      count(*) filter (where locked_at is not null)::int as running,
      count(*) filter (where locked_at is null and exhausted)::int as failed,
      extract(epoch from now() - min(run_at) filter (
        where locked_at is null and not exhausted and run_at <= now()))::float8 as oldest_waiting_seconds
    from jobs group by task_identifier`);
