export { listOutcomes, toOutcome } from "./list-outcomes.ts";
export { createOutcomeWriter, type OutcomeWriter } from "./outcome-writer.ts";
export { type OutcomeLimits, reportOutcome } from "./report-outcome.ts";
export * from "./schemas.ts";
