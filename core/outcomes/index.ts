export { listOutcomes, toOutcome } from "./list-outcomes.ts";
export { type OutcomeLimits, reportOutcome } from "./report-outcome.ts";
export * from "./schemas.ts";
