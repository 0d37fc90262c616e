import { z } from "zod";
import { Pagination } from "../pagination.ts";

export const OutcomeStatus = z.enum(["success", "failure", "partial"]);

/**
 * A reported outcome. Sizes of reasoning_trace and notes are checked against the configured
 * byte limits by `reportOutcome` (so the limit can change without a schema change).
 */
export const ReportOutcome = z.object({
  task_description: z
    .string()
    .trim()
    .min(1, "task_description must not be empty")
    .max(8000, "task_description must be at most 8000 characters")
    .describe("What the agent was asked to do"),
  outcome: OutcomeStatus.describe("success, failure or partial: the honest result of the task"),
  reasoning_trace: z
    .string()
    .optional()
    .describe("The agent's reasoning or a summary of its steps (≤ 10 KB)"),
  notes: z.string().optional().describe("Anything else worth knowing (≤ 2 KB)"),
  bullets_used: z
    .array(z.string().trim().min(1).max(100))
    .max(500, "bullets_used may list at most 500 ids")
    .optional()
    .describe('Ids of the playbook bullets the agent applied, e.g. ["str-00001"]'),
  client_outcome_id: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe("Your id for this report; a retry with the same id is recorded once (same as Idempotency-Key)"),
});
export type ReportOutcome = z.infer<typeof ReportOutcome>;

export const OutcomeRecorded = z.object({
  outcome_id: z.string(),
  status: z.literal("recorded"),
  pending_outcomes: z.number().int().describe("Outcomes of this playbook waiting for the next evolution"),
  queued_evolution_id: z
    .string()
    .nullable()
    .describe(
      "The evolution job this report queued by reaching the outcome threshold, else null (a retried report: the playbook's queued or running evolution)",
    ),
});
export type OutcomeRecorded = z.infer<typeof OutcomeRecorded>;

export const Outcome = z.object({
  id: z.string(),
  playbook_id: z.string(),
  task_description: z.string(),
  outcome: OutcomeStatus,
  reasoning_trace: z.string().nullable(),
  notes: z.string().nullable(),
  bullets_used: z.array(z.string()),
  processed_at: z.string().nullable(),
  evolution_job_id: z.string().nullable(),
  reflection: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("The Reflector's diagnosis, once processed"),
  created_at: z.string(),
});
export type Outcome = z.infer<typeof Outcome>;

export const ListOutcomesQuery = Pagination.extend({
  status: OutcomeStatus.optional().describe("Only outcomes with this result"),
  processed: z.stringbool().optional().describe("true: already used by an evolution; false: still pending"),
});
export type ListOutcomesQuery = z.infer<typeof ListOutcomesQuery>;
