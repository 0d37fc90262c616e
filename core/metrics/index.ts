export {
  countingAuthFailures,
  instrumentLlm,
  observeEvolutionRun,
  recordAccountLockoutRefusal,
  recordEvolutionTriggered,
  recordHttpRequest,
  recordOutcome,
} from "./instrument.ts";
export {
  METRICS_CONTENT_TYPE,
  type PoolStats,
  renderMetrics,
  slonikPoolStats,
  watchDatabase,
  watchPool,
  watchQueue,
} from "./scrape.ts";
