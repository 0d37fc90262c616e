import { isLlmError } from "../llm/errors.ts";
import type { LlmClient, UsageEntry } from "../llm/types.ts";
import { buildCuratorRequest, curate, groupReflections, type ReflectedOutcome } from "./curator.ts";
import { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { applyOperations } from "./operations/apply.ts";
import { applyTags } from "./operations/tags.ts";
import type { ChangeEntry } from "./operations/types.ts";
import { type EvolveOptions, resolveEvolveOptions } from "./options.ts";
import { type OutcomeInput, parseOutcomes } from "./outcomes.ts";
import { cleanReflection, type Reflection, reflect, shownBulletIds } from "./reflector.ts";
import { boundChangeLog, type RefusalLog, refusalLog } from "./refusals.ts";
import { settleInOrder } from "./settle.ts";
import { playbookStats } from "./stats.ts";
import { summarizeChanges } from "./summary.ts";
import { parseValidPlaybook } from "./validate.ts";

export interface EvolveResult {
  content: string;
  bulletCount: number;
  /**
   * The change log: counter tags, then the Curator's ops in the reply's order (applied, or
   * rejected with the reason), then pruning. Every applied entry; the first MAX_LOGGED_REFUSALS
   * rejected ones.
   */
  operations: ChangeEntry[];
  /** Counts every entry, also the refusals left out of `operations`. */
  diffSummary: string;
  /** What the guards refused and why, bounded in size: for the job's result. */
  refusals: RefusalLog;
  /** Each reflection cleaned and bounded (what the Curator saw and what is stored). */
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
  const text = draft.render({ withCounters: true });
  const stats = playbookStats(draft.toPlaybook());
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
 * One ACE evolution: a Reflector call per outcome, counter tags, Curator call(s), then the
 * deterministic application of the proposed ops under the guards, and budget pruning. The LLM
 * never rewrites the text, and no reply can break the invariants of docs/ENGINE_INVARIANTS.md:
 * what a guard refuses is logged and the rest applies. Throws EngineError only: `transient` for
 * provider outages (retry later), permanent for invalid input or playbook, or unusable LLM
 * output; `usage` always lists the calls made.
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
    const bullets = draft.bullets();
    const replies = await settleInOrder(
      batch,
      opts.reflectorConcurrency,
      (o) => reflect(llm, bullets, o, opts),
      usage,
    );
    // Tags are checked against what each reflection was shown; the rest of a reflection is
    // cleaned before the Curator sees it or it is stored.
    const log = applyTags(
      draft,
      batch.map((outcome, i) => ({
        outcomeId: outcome.id,
        tags: (replies[i] as Reflection).bullet_tags,
        shown: shownBulletIds(bullets, outcome, opts),
      })),
    );
    const reflected = batch.map((outcome, i) => ({
      outcome,
      reflection: cleanReflection(replies[i] as Reflection),
    }));
    const ops = await curateAll(draft, reflected, llm, opts, usage);
    log.push(...applyOperations(draft, ops, opts));
    return {
      content: draft.render(),
      bulletCount: draft.ids().length,
      operations: boundChangeLog(log),
      diffSummary: summarizeChanges(log),
      refusals: refusalLog(log),
      reflections: reflected.map(({ outcome, reflection }) => ({ outcomeId: outcome.id, reflection })),
      usage,
    };
  } catch (error) {
    throw toEngineError(error, usage);
  }
}
