import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";
import type { TokenTotals } from "./schemas.ts";

/** Token and cost totals of every LLM call recorded for the job, across all its attempts. */
export const usageTotals = (db: CommonQueryMethods, jobId: string): Promise<TokenTotals> =>
  db.one(sql.type(
    z.object({
      calls: z.number(),
      prompt_tokens: z.number(),
      completion_tokens: z.number(),
      total_tokens: z.number(),
      cost_usd: z.string(),
    }),
  )`
    select count(*) as calls,
      coalesce(sum(prompt_tokens), 0)::int8 as prompt_tokens,
      coalesce(sum(completion_tokens), 0)::int8 as completion_tokens,
      coalesce(sum(total_tokens), 0)::int8 as total_tokens,
      coalesce(sum(cost_usd), 0)::numeric(12, 6)::text as cost_usd
    from usage_records where evolution_job_id = ${jobId}`);
