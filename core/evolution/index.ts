export { evolutionAvailability } from "./availability.ts";
export {
  type EvolutionTrigger,
  enqueueEvolution,
  enqueueIfThresholdMet,
  type ThresholdSettings,
} from "./enqueue.ts";
export { checkEvolveNow, type EvolveNowRules } from "./evolve-now.ts";
export { reconcileEvolutionJobs } from "./reconcile.ts";
export {
  type EvolutionDeps,
  type EvolutionSettings,
  isUnexpectedFailure,
  RetryableEvolutionError,
  type RunOutcome,
  runEvolution,
} from "./run-evolution.ts";
export * from "./schemas.ts";
export { getEvolution, listEvolutions, toEvolutionJob } from "./status.ts";
export { sweepDueEvolutions } from "./sweep.ts";
export { triggerEvolution } from "./trigger.ts";
