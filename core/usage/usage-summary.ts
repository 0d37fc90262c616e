import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import {
  selectUsageByModel,
  selectUsageByPlaybook,
  selectUsageSeries,
  selectUsageTotals,
} from "./queries.ts";
import {
  DEFAULT_USAGE_RANGE_DAYS,
  MAX_USAGE_RANGE_DAYS,
  type UsageQuery,
  type UsageSummary,
} from "./schemas.ts";

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * The caller's token usage, cost and evolutions over whole UTC days, as totals, a series with one
 * row per period (empty periods as zeros, so a chart needs no gap filling), and per playbook and
 * model. Only the caller's own usage, whatever playbook it was for. Needs the `read` scope.
 * Throws `invalid_input` when `from` is after `to` or the range is longer than
 * MAX_USAGE_RANGE_DAYS; `forbidden` without the scope.
 */
export async function summarizeUsage(
  pool: DatabasePool,
  caller: Caller,
  query: UsageQuery = {},
  now = new Date(),
): Promise<UsageSummary> {
  requireScope(caller, "read");
  const to = query.to ?? isoDay(now.getTime());
  const from = query.from ?? isoDay(dayMs(to) - (DEFAULT_USAGE_RANGE_DAYS - 1) * DAY_MS);
  const days = (dayMs(to) - dayMs(from)) / DAY_MS + 1;
  if (days < 1) {
    throw new AppError("invalid_input", `from (${from}) is after to (${to}): swap them.`, {
      details: { field: "from" },
    });
  }
  if (days > MAX_USAGE_RANGE_DAYS) {
    throw new AppError(
      "invalid_input",
      `The range from ${from} to ${to} spans ${days} days; ask for at most ${MAX_USAGE_RANGE_DAYS} days per request.`,
      { details: { field: "from", max_days: MAX_USAGE_RANGE_DAYS } },
    );
  }
  const granularity = query.granularity ?? "day";
  const range = { userId: caller.userId, from, to };
  const [totals, series, byPlaybook, byModel] = await Promise.all([
    selectUsageTotals(pool, range),
    selectUsageSeries(pool, range, granularity),
    selectUsageByPlaybook(pool, range),
    selectUsageByModel(pool, range),
  ]);
  return {
    from,
    to,
    granularity,
    totals,
    series: [...series],
    by_playbook: [...byPlaybook],
    by_model: [...byModel],
  };
}
