import { z } from "zod";
import { EngineError } from "./errors.ts";
import { describeIssues } from "./operations/schemas.ts";

export const OutcomeInput = z.object({
  id: z.string().min(1),
  task_description: z.string(),
  outcome: z.enum(["success", "failure", "partial"]),
  reasoning_trace: z.string().nullish(),
  notes: z.string().nullish(),
  bullets_used: z.array(z.string()).nullish(),
});
export type OutcomeInput = z.infer<typeof OutcomeInput>;

/** Validates the batch. Throws EngineError `invalid_input` naming the first bad outcome. */
export function parseOutcomes(outcomes: readonly unknown[]): OutcomeInput[] {
  return outcomes.map((raw, index) => {
    const result = OutcomeInput.safeParse(raw);
    if (result.success) return result.data;
    throw new EngineError("invalid_input", `Invalid outcome #${index + 1}: ${describeIssues(result.error)}`);
  });
}
