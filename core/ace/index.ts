export { countTokens } from "../llm/tokens.ts";
export { cleanField, cleanLine, clip, previewValue, TEXT_LIMITS } from "./clean.ts";
export { buildCuratorRequest, CURATION_JSON_SCHEMA, Curation, groupReflections } from "./curator.ts";
export { type BulletDiff, diffBullets } from "./diff.ts";
export { Draft } from "./draft.ts";
export { EngineError, type EngineErrorCode, isEngineError } from "./errors.ts";
export { type EvolveResult, evolvePlaybook } from "./evolve.ts";
export {
  addToCounter,
  listBullets,
  MAX_COUNTER,
  parseBulletLine,
  parsePlaybook,
  renderBullet,
  renderPlaybook,
  sectionKey,
} from "./format.ts";
export { bulletNumber, IdAllocator, maxBulletNumber, slugForSection, slugFromSectionName } from "./ids.ts";
export { ChangeLedger, changeAllowance, type GuardOptions, isProven, pruneOrder } from "./ledger.ts";
export { type ApplyOptions, applyOperations } from "./operations/apply.ts";
export { BulletTag, CuratorOp, parseOp } from "./operations/schemas.ts";
export { applyTags, type OutcomeTags } from "./operations/tags.ts";
export type { ChangeEntry, ChangeOp, ChangeSource } from "./operations/types.ts";
export { DEFAULT_EVOLVE_OPTIONS, EvolveOptions, resolveEvolveOptions } from "./options.ts";
export { OutcomeInput } from "./outcomes.ts";
export { pruneToBudget } from "./prune.ts";
export {
  buildReflectorRequest,
  cleanReflection,
  REFLECTION_JSON_SCHEMA,
  Reflection,
  shownBulletIds,
} from "./reflector.ts";
export {
  boundChangeLog,
  MAX_LISTED_REFUSALS,
  MAX_LOGGED_REFUSALS,
  type Refusal,
  type RefusalLog,
  refusalLog,
} from "./refusals.ts";
export { filterSection, sectionNames } from "./sections.ts";
export { type PlaybookStats, playbookStats } from "./stats.ts";
export { summarizeChanges } from "./summary.ts";
export type { Bullet, BulletSnapshot, LocatedBullet, Playbook, PlaybookLine } from "./types.ts";
export {
  byteLength,
  DEFAULT_MAX_CONTENT_BYTES,
  type PlaybookValidation,
  parseValidPlaybook,
  validatePlaybookText,
} from "./validate.ts";
export { ACE_CORE_VERSION } from "./version.ts";
