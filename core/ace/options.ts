import { z } from "zod";
import { EngineError } from "./errors.ts";
import { describeIssues } from "./operations/schemas.ts";
import { DEFAULT_MAX_CONTENT_BYTES } from "./validate.ts";

const positiveInt = z.number().int().positive();

export const EvolveOptions = z.object({
  /** Token budget of the evolved playbook (o200k tokens); over it, bullets are pruned. */
  tokenBudget: positiveInt,
  /** Size limit of the playbook text, in and out, in UTF-8 bytes. */
  maxContentBytes: positiveInt,
  /** Largest share of the bullets one evolution may change: UPDATE, MERGE, REMOVE and pruning together. */
  maxChangeShare: z.number().min(0).max(1),
  /** Changes always allowed, however small the playbook. */
  minChangesAllowed: z.number().int().min(0),
  /** Reflections per curator call; bigger batches are split into groups. */
  curatorGroupSize: positiveInt,
  /** Jaccard word similarity from which an ADD is a duplicate of a bullet in its section. */
  similarityThreshold: z.number().gt(0).max(1),
  /** Longest bullet content an op may write. */
  maxBulletChars: positiveInt,
  /** Reflector calls in flight at once. */
  reflectorConcurrency: positiveInt,
  /** Curator calls (groups) in flight at once. */
  curatorConcurrency: positiveInt,
  /** Playbook excerpt shown to the reflector when the agent reported no bullets, in tokens. */
  reflectorPlaybookTokens: positiveInt,
  /** Longest reasoning trace or notes passed to the reflector; the middle is elided beyond it. */
  maxTraceChars: positiveInt,
  /** New bullet ids are numbered above this (the highest number in the playbook's history). */
  idFloor: z.number().int().min(0),
  reflectorMaxOutputTokens: positiveInt,
  curatorMaxOutputTokens: positiveInt,
});
export type EvolveOptions = z.infer<typeof EvolveOptions>;

/** Playbook token budget unless configured (PLAYBOOK_TOKEN_BUDGET); see docs/TOKEN_ECONOMICS.md. */
export const DEFAULT_TOKEN_BUDGET = 24_000;

export const DEFAULT_EVOLVE_OPTIONS: Readonly<EvolveOptions> = Object.freeze({
  tokenBudget: DEFAULT_TOKEN_BUDGET,
  maxContentBytes: DEFAULT_MAX_CONTENT_BYTES,
  maxChangeShare: 0.3,
  minChangesAllowed: 2,
  curatorGroupSize: 10,
  similarityThreshold: 0.8,
  maxBulletChars: 2_000,
  reflectorConcurrency: 4,
  curatorConcurrency: 2,
  reflectorPlaybookTokens: 6_000,
  maxTraceChars: 24_000,
  idFloor: 0,
  reflectorMaxOutputTokens: 2_000,
  curatorMaxOutputTokens: 6_000,
});

/** Defaults merged with overrides and validated. Throws EngineError `invalid_input` listing every problem. */
export function resolveEvolveOptions(overrides: Partial<EvolveOptions> = {}): EvolveOptions {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const result = EvolveOptions.safeParse({ ...DEFAULT_EVOLVE_OPTIONS, ...defined });
  if (result.success) return result.data;
  throw new EngineError("invalid_input", `Invalid evolve options: ${describeIssues(result.error)}`);
}
