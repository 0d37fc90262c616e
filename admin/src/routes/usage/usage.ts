/** GET /v1/usage (core/usage/schemas.ts UsageSummary). Pure: no API import, so it is unit-tested. */
export interface UsageTotals {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: string;
  llm_calls: number;
  evolutions: number;
}
export interface UsageSummary {
  from: string;
  to: string;
  granularity: "day" | "week" | "month";
  totals: UsageTotals;
  series: Array<UsageTotals & { period_start: string }>;
  by_playbook: Array<{
    playbook_id: string | null;
    name: string | null;
    total_tokens: number;
    cost_usd: string;
    evolutions: number;
  }>;
  by_model: Array<{ model: string; total_tokens: number; cost_usd: string; llm_calls: number }>;
}

export const RANGES = [
  { id: "30d", label: "Last 30 days", granularity: "day", days: 30 },
  { id: "12w", label: "Last 12 weeks", granularity: "week", days: 84 },
  { id: "12m", label: "Last 12 months", granularity: "month", days: 365 },
] as const;
export type RangeId = (typeof RANGES)[number]["id"];

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function rangeQuery(id: RangeId, now = new Date()): { from: string; to: string; granularity: string } {
  const range = RANGES.find((r) => r.id === id) ?? RANGES[0];
  const from = new Date(now.getTime() - (range.days - 1) * 86_400_000);
  return { from: isoDay(from), to: isoDay(now), granularity: range.granularity };
}

/** This calendar month so far (UTC), for the month's totals. */
export function monthQuery(now = new Date()): { from: string; to: string; granularity: string } {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { from: isoDay(first), to: isoDay(now), granularity: "month" };
}
