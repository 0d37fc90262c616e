import { z } from "zod";

/** The usage summary's shapes (REST; the dashboard's Usage page charts `series`). */

export const GRANULARITIES = ["day", "week", "month"] as const;
export const Granularity = z.enum(GRANULARITIES);
export type Granularity = z.infer<typeof Granularity>;

/** The widest range one request may ask for, in days (from and to included). */
export const MAX_USAGE_RANGE_DAYS = 366;
/** The range when `from` is left out: the last 30 days, today included. */
export const DEFAULT_USAGE_RANGE_DAYS = 30;

const IsoDate = z.iso.date("must be a date like 2026-01-31");

export const UsageQuery = z.object({
  from: IsoDate.optional().describe(
    `First day included (UTC, YYYY-MM-DD). Default: ${DEFAULT_USAGE_RANGE_DAYS - 1} days before \`to\``,
  ),
  to: IsoDate.optional().describe("Last day included (UTC, YYYY-MM-DD). Default: today"),
  granularity: Granularity.optional().describe(
    "Length of one `series` row: day (default), week (ISO weeks, starting Monday) or month",
  ),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

const Cost = z.string().describe("US dollars, decimal string with 6 places, e.g. `0.012345`");
const Count = z.number().int().min(0);

export const UsageTotals = z.object({
  prompt_tokens: Count,
  completion_tokens: Count,
  total_tokens: Count,
  cost_usd: Cost,
  llm_calls: Count,
  evolutions: Count.describe("Evolutions that finished (completed or failed) in the period"),
});
export type UsageTotals = z.infer<typeof UsageTotals>;

export const UsagePeriod = UsageTotals.extend({
  period_start: z.iso
    .date()
    .describe(
      "First day of the period (UTC); the first period may start before `from`, its figures never do",
    ),
});
export type UsagePeriod = z.infer<typeof UsagePeriod>;

export const UsageByPlaybook = z.object({
  playbook_id: z.string().nullable().describe("null for usage of playbooks since deleted"),
  name: z.string().nullable(),
  total_tokens: Count,
  cost_usd: Cost,
  evolutions: Count,
});
export type UsageByPlaybook = z.infer<typeof UsageByPlaybook>;

export const UsageByModel = z.object({
  model: z.string(),
  total_tokens: Count,
  cost_usd: Cost,
  llm_calls: Count,
});
export type UsageByModel = z.infer<typeof UsageByModel>;

export const UsageSummary = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  granularity: Granularity,
  totals: UsageTotals,
  series: z
    .array(UsagePeriod)
    .describe("One row per period from `from` to `to`, oldest first, empty periods included with zeros"),
  by_playbook: z.array(UsageByPlaybook).describe("Most expensive first"),
  by_model: z.array(UsageByModel).describe("Most expensive first"),
});
export type UsageSummary = z.infer<typeof UsageSummary>;
