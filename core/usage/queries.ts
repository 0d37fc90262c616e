import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import type { Granularity } from "./schemas.ts";

/**
 * Every SQL statement of the usage summary. Each takes the connection first. A range is whole UTC
 * days: `from` 00:00 up to the day after `to`, 00:00 (dates as YYYY-MM-DD strings).
 */
export interface UsageRange {
  userId: string;
  from: string;
  to: string;
}

const start = (r: UsageRange) => sql.fragment`(${r.from}::timestamp at time zone 'UTC')`;
const end = (r: UsageRange) => sql.fragment`((${r.to}::timestamp + interval '1 day') at time zone 'UTC')`;
const usageIn = (r: UsageRange) =>
  sql.fragment`u.user_id = ${r.userId} and u.created_at >= ${start(r)} and u.created_at < ${end(r)}`;
/** An evolution counts when it finished in the range, whether it changed the playbook or failed. */
const evolutionsIn = (r: UsageRange) => sql.fragment`
  j.user_id = ${r.userId} and j.status in ('completed', 'failed')
  and j.completed_at >= ${start(r)} and j.completed_at < ${end(r)}`;

const cost = (expr: ReturnType<typeof sql.fragment>) =>
  sql.fragment`coalesce(sum(${expr}), 0)::numeric(16, 6)::text`;
const int = z.coerce.number();

const TotalsColumns = {
  prompt_tokens: int,
  completion_tokens: int,
  total_tokens: int,
  cost_usd: z.string(),
  llm_calls: int,
  evolutions: int,
};
export const TotalsRow = z.object(TotalsColumns);
export const PeriodRow = z.object({ period_start: z.string(), ...TotalsColumns });

export const selectUsageTotals = (db: CommonQueryMethods, r: UsageRange) =>
  db.one(sql.type(TotalsRow)`
    select coalesce(sum(u.prompt_tokens), 0)::bigint as prompt_tokens,
      coalesce(sum(u.completion_tokens), 0)::bigint as completion_tokens,
      coalesce(sum(u.total_tokens), 0)::bigint as total_tokens,
      ${cost(sql.fragment`u.cost_usd`)} as cost_usd,
      count(u.id)::bigint as llm_calls,
      (select count(*) from evolution_jobs j where ${evolutionsIn(r)})::bigint as evolutions
    from usage_records u where ${usageIn(r)}`);

/** One row per period of the range, empty ones included (generate_series), oldest first. */
export const selectUsageSeries = (db: CommonQueryMethods, r: UsageRange, granularity: Granularity) => {
  const step = sql.fragment`${`1 ${granularity}`}::interval`;
  const trunc = (expr: ReturnType<typeof sql.fragment>) =>
    sql.fragment`date_trunc(${granularity}, ${expr} at time zone 'UTC')`;
  return db.any(sql.type(PeriodRow)`
    with periods as (
      select generate_series(
        date_trunc(${granularity}, ${r.from}::timestamp), date_trunc(${granularity}, ${r.to}::timestamp), ${step}
      ) as start),
    used as (
      select ${trunc(sql.fragment`u.created_at`)} as start,
        sum(u.prompt_tokens) as prompt_tokens, sum(u.completion_tokens) as completion_tokens,
        sum(u.total_tokens) as total_tokens, sum(u.cost_usd) as cost_usd, count(*) as llm_calls
      from usage_records u where ${usageIn(r)} group by 1),
    evolved as (
      select ${trunc(sql.fragment`j.completed_at`)} as start, count(*) as evolutions
      from evolution_jobs j where ${evolutionsIn(r)} group by 1)
    select to_char(p.start, 'YYYY-MM-DD') as period_start,
      coalesce(used.prompt_tokens, 0)::bigint as prompt_tokens,
      coalesce(used.completion_tokens, 0)::bigint as completion_tokens,
      coalesce(used.total_tokens, 0)::bigint as total_tokens,
      coalesce(used.cost_usd, 0)::numeric(16, 6)::text as cost_usd,
      coalesce(used.llm_calls, 0)::bigint as llm_calls,
      coalesce(evolved.evolutions, 0)::bigint as evolutions
    from periods p
    left join used on used.start = p.start
    left join evolved on evolved.start = p.start
    order by p.start`);
};

export const ByPlaybookRow = z.object({
  playbook_id: z.string().nullable(),
  name: z.string().nullable(),
  total_tokens: int,
  cost_usd: z.string(),
  evolutions: int,
});

/** Usage and evolutions per playbook (usage of a deleted playbook is one row with a null id). */
export const selectUsageByPlaybook = (db: CommonQueryMethods, r: UsageRange) =>
  db.any(sql.type(ByPlaybookRow)`
    with used as (
      select u.playbook_id, sum(u.total_tokens) as total_tokens, sum(u.cost_usd) as cost_usd
      from usage_records u where ${usageIn(r)} group by 1),
    evolved as (
      select j.playbook_id, count(*) as evolutions
      from evolution_jobs j where ${evolutionsIn(r)} group by 1),
    both_ as (
      select coalesce(used.playbook_id, evolved.playbook_id) as playbook_id,
        coalesce(used.total_tokens, 0) as total_tokens, coalesce(used.cost_usd, 0) as cost_usd,
        coalesce(evolved.evolutions, 0) as evolutions
      from used full join evolved on evolved.playbook_id = used.playbook_id)
    select b.playbook_id::text as playbook_id, p.name, b.total_tokens::bigint as total_tokens,
      b.cost_usd::numeric(16, 6)::text as cost_usd, b.evolutions::bigint as evolutions
    from both_ b left join playbooks p on p.id = b.playbook_id
    order by b.cost_usd desc, b.total_tokens desc, p.name nulls last`);

export const ByModelRow = z.object({
  model: z.string(),
  total_tokens: int,
  cost_usd: z.string(),
  llm_calls: int,
});

export const selectUsageByModel = (db: CommonQueryMethods, r: UsageRange) =>
  db.any(sql.type(ByModelRow)`
    select u.model, sum(u.total_tokens)::bigint as total_tokens, ${cost(sql.fragment`u.cost_usd`)} as cost_usd,
      count(*)::bigint as llm_calls
    from usage_records u where ${usageIn(r)}
    group by u.model order by sum(u.cost_usd) desc, sum(u.total_tokens) desc, u.model`);
