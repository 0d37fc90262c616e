import { type ParsedCronItem, parseCronItems, type Task, type TaskList } from "graphile-worker";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/create-core.ts";
import { EvolvePayload } from "../core/evolution/index.ts";

export interface TaskOptions {
  /** The clock of the sweep and the housekeeping; tests move it. */
  now?: () => Date;
}

/**
 * The worker's tasks. Each is thin: validate the payload, call one core use-case.
 * `evolve_playbook` throws to make graphile-worker retry (with its exponential backoff).
 */
export function createTaskList(
  { core, logger }: Pick<Deps, "core" | "logger">,
  options: TaskOptions = {},
): TaskList {
  const now = () => options.now?.() ?? new Date();
  const evolve: Task = async (payload, helpers) => {
    const parsed = EvolvePayload.safeParse(payload);
    if (!parsed.success) {
      logger.error("evolve_playbook: invalid payload; dropping the job", { job: helpers.job.id });
      return;
    }
    await core.evolutions.run(parsed.data, { number: helpers.job.attempts, max: helpers.job.max_attempts });
  };
  const sweep: Task = async () => {
    const at = now();
    const reconciled = await core.evolutions.reconcile(at);
    if (reconciled.requeued.length + reconciled.failed.length > 0) {
      logger.warn("orphaned evolution jobs reconciled", reconciled);
    }
    const queued = await core.evolutions.sweep(at);
    if (queued.length > 0) logger.info("scheduled evolutions queued", { count: queued.length });
  };
  const prune: Task = async () => {
    const pruned = await core.maintenance.pruneExpiredState(now());
    logger.info("expired state pruned", pruned);
  };
  return { evolve_playbook: evolve, evolution_sweep: sweep, prune_expired_state: prune };
}

/** The time-threshold sweep, every EVOLUTION_SWEEP_INTERVAL_MINUTES; housekeeping hourly. */
export function cronItems(config: Config): ParsedCronItem[] {
  const every = config.evolution.sweepIntervalMinutes;
  return parseCronItems([
    {
      task: "evolution_sweep",
      match: `*/${every} * * * *`,
      identifier: "evolution_sweep",
      options: { backfillPeriod: 0, maxAttempts: 1 },
    },
    {
      task: "prune_expired_state",
      match: "17 * * * *",
      identifier: "prune_expired_state",
      options: { backfillPeriod: 0, maxAttempts: 1 },
    },
  ]);
}
