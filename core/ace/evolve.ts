import { isLlmError } from "../llm/errors.ts";
import type { LlmClient, UsageEntry } from "../llm/types.ts";
import { buildCuratorRequest, curate, groupReflections, type ReflectedOutcome } from "./curator.ts";
import { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { renderPlaybook } from "./format.ts";
import { assertNoCollapse, pruneToBudget } from "./guards.ts";
import { applyOperations } from "./operations/apply.ts";
import { applyTags } from "./operations/tags.ts";
import type { ChangeEntry } from "./operations/types.ts";
import { type EvolveOptions, resolveEvolveOptions } from "./options.ts";
import { type OutcomeInput, parseOutcomes } from "./outcomes.ts";
import { type Reflection, reflect } from "./reflector.ts";
import { settleInOrder } from "./settle.ts";
import { playbookStats } from "./stats.ts";
import { summarizeChanges } from "./summary.ts";
import { parseValidPlaybook } from "./validate.ts";

export interface EvolveResult {
  content: string;
  bulletCount: number;
  /** The change log: every op applied or rejected (with its reason), in application order. */
  operations: ChangeEntry[];
  diffSummary: string;
  reflections: Array<{ outcomeId: string; reflection: Reflection }>;
  /** One entry per LLM call that cost tokens, reflections first (in outcome order), then curation. */
  usage: UsageEntry[];
}

async function curateAll(
  draft: Draft,
  reflected: ReflectedOutcome[],
  llm: LlmClient,
  options: EvolveOptions,
  usage: UsageEntry[],
) {
  if (reflected.length === 0) return [];
  // Every group is curated against the same base; op lists are concatenated in group order and
  // conflicts resolve when applied (e.g. an UPDATE of a bullet an earlier group removed is rejected).
  const text = renderPlaybook({ lines: draft.lines }, { withCounters: true });
  const stats = playbookStats({ lines: draft.lines });
  const groups = groupReflections(reflected, options.curatorGroupSize);
  const curations = await settleInOrder(
    groups,
    options.curatorConcurrency,
    (group) => curate(llm, buildCuratorRequest(text, stats, group, options)),
    usage,
  );
  return curations.flatMap((curation) => curation.operations);
}

function toEngineError(error: unknown, usage: UsageEntry[]): EngineError {
  if (error instanceof EngineError) {
    error.usage = usage;
    return error;
  }
  if (isLlmError(error)) {
    const code = error.transient ? "llm_unavailable" : "llm_failed";
    const details = { kind: error.kind, status: error.status, attempts: error.attempts };
    return new EngineError(code, error.message, { transient: error.transient, details, usage, cause: error });
  }
  return new EngineError("internal", "Internal error in the evolution engine", { usage, cause: error });
}

/**
 * One ACE evolution: a Reflector call per outcome, counter tags, Curator call(s), deterministic
 * application of the proposed ops, collapse guard, then budget pruning. The LLM never rewrites
 * the text. Throws EngineError only: `transient` for provider outages (retry later), permanent for
 * invalid input or playbook, collapse, or unusable LLM output; `usage` always lists the calls made.
 */
export async function evolvePlaybook(
  content: string,
  outcomes: readonly OutcomeInput[],
  llm: LlmClient,
  options: Partial<EvolveOptions> = {},
): Promise<EvolveResult> {
  const usage: UsageEntry[] = [];
  try {
    const opts = resolveEvolveOptions(options);
    const batch = parseOutcomes(outcomes);
    const base = parseValidPlaybook(content, opts.maxContentBytes);
    const draft = new Draft(base, opts.idFloor);
    const baseIds = draft.ids();
    const bullets = draft.bullets();
    const reflections = await settleInOrder(
      batch,
      opts.reflectorConcurrency,
      (o) => reflect(llm, bullets, o, opts),
      usage,
    );
    const reflected = batch.map((outcome, i) => ({ outcome, reflection: reflections[i] as Reflection }));
    const log = applyTags(
      draft,
      reflected.map(({ outcome, reflection }) => ({ outcomeId: outcome.id, tags: reflection.bullet_tags })),
    );
    const ops = await curateAll(draft, reflected, llm, opts, usage);
    log.push(...applyOperations(draft, ops, opts));
    assertNoCollapse(baseIds, draft, opts);
    log.push(...pruneToBudget(draft, opts));
    const next = draft.render();
    return {
      content: next,
      bulletCount: draft.ids().length,
      operations: log,
      diffSummary: summarizeChanges(log),
      reflections: reflected.map(({ outcome, reflection }) => ({ outcomeId: outcome.id, reflection })),
      usage,
    };
  } catch (error) {
    throw toEngineError(error, usage);
  }
}
