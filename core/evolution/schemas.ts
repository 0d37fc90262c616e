import { z } from "zod";

export const EvolutionStatus = z.enum(["queued", "running", "completed", "failed"]);

export const TriggerResult = z.object({
  job_id: z.string(),
  status: EvolutionStatus,
  is_new: z.boolean().describe("false when an evolution was already queued or running; that one is returned"),
});
export type TriggerResult = z.infer<typeof TriggerResult>;

export const TokenTotals = z.object({
  calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost_usd: z.string().describe("Decimal string, 6 places"),
});
export type TokenTotals = z.infer<typeof TokenTotals>;

export const Refusals = z.object({
  total: z.number().int().describe("Operations and tags refused"),
  listed: z
    .array(
      z.object({
        op: z.string().describe("ADD, UPDATE, MERGE, REMOVE, TAG, PRUNE or INVALID"),
        source: z.enum(["curator", "reflector", "budget"]),
        bullet_ids: z.array(z.string()),
        outcome_id: z.string().nullable().describe("For tags: the outcome whose reflection proposed it"),
        reason: z.string(),
      }),
    )
    .describe("The first 50 refusals, in order"),
  omitted: z.number().int().describe("Refusals counted in total but not listed"),
});
export type Refusals = z.infer<typeof Refusals>;

export const EvolutionJob = z.object({
  job_id: z.string(),
  playbook_id: z.string(),
  status: EvolutionStatus,
  trigger: z.enum(["manual", "threshold", "schedule"]),
  outcomes_processed: z.number().int(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  error_message: z.string().nullable(),
  result_summary: z.string().nullable().describe("What the evolution changed, e.g. `+3 added, 1 updated`"),
  refusals: Refusals.nullable().describe(
    "What the evolution's guards refused and why (null until it completes): see docs/ENGINE_INVARIANTS.md",
  ),
  token_totals: TokenTotals.partial(),
  from_version: z.number().int().nullable(),
  to_version: z.number().int().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
export type EvolutionJob = z.infer<typeof EvolutionJob>;

/** The payload of the graphile-worker task `evolve_playbook`. */
export const EvolvePayload = z.object({ job_id: z.string().uuid(), playbook_id: z.string().uuid() });
export type EvolvePayload = z.infer<typeof EvolvePayload>;

export const EVOLVE_NOW_BLOCKS = [
  "nothing_pending",
  "already_running",
  "rate_limited",
  "archived",
  "llm_not_configured",
] as const;
export type EvolveNowBlock = (typeof EVOLVE_NOW_BLOCKS)[number];

export const EvolveNowAvailability = z.object({
  available: z
    .boolean()
    .describe("true when POST /v1/playbooks/{id}/evolutions would start an evolution now"),
  // One enum with null in it (not a nullable enum), so OpenAPI tools validate a null example.
  reason: z
    .literal([...EVOLVE_NOW_BLOCKS, null])
    .describe(
      "Why not (null when available): nothing_pending (no unprocessed outcomes) · already_running (one is queued or running) · rate_limited (see available_at) · archived · llm_not_configured (the server has no LLM provider)",
    ),
  message: z
    .string()
    .nullable()
    .describe("A sentence to show next to the disabled button; null when available"),
  available_at: z.iso
    .datetime()
    .nullable()
    .describe("When rate_limited: the instant the next trigger is allowed. Otherwise null"),
});
export type EvolveNowAvailability = z.infer<typeof EvolveNowAvailability>;
