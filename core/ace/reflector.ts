import { z } from "zod";
import { countLineTokens } from "../llm/tokens.ts";
import type { LlmClient, StructuredRequest, StructuredResult } from "../llm/types.ts";
import { cleanField, previewValue, TEXT_LIMITS } from "./clean.ts";
import { renderBullet } from "./format.ts";
import type { EvolveOptions } from "./options.ts";
import type { OutcomeInput } from "./outcomes.ts";
import { dataBlock, elide, fillTemplate, PROMPTS } from "./prompts/index.ts";
import type { LocatedBullet } from "./types.ts";

export const Reflection = z.object({
  reasoning: z.string(),
  error_identification: z.string(),
  root_cause_analysis: z.string(),
  correct_approach: z.string(),
  key_insight: z.string(),
  // Tags are checked one by one when applied, so one bad tag does not void the reflection.
  bullet_tags: z.array(z.unknown()),
});
export type Reflection = z.infer<typeof Reflection>;

/** Tags kept per reflection; a reflection is shown far fewer bullets than this. */
export const MAX_STORED_TAGS = 1_000;

const text = { type: "string" } as const;
export const REFLECTION_JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: [
    "reasoning",
    "error_identification",
    "root_cause_analysis",
    "correct_approach",
    "key_insight",
    "bullet_tags",
  ],
  properties: {
    reasoning: text,
    error_identification: text,
    root_cause_analysis: text,
    correct_approach: text,
    key_insight: text,
    bullet_tags: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "tag"],
        properties: { id: text, tag: { type: "string", enum: ["helpful", "harmful", "neutral"] } },
      },
    },
  },
} as const;

/** Bullets the agent reported, or the playbook in order up to a token budget. */
function bulletsShown(bullets: readonly LocatedBullet[], outcome: OutcomeInput, budget: number) {
  const reported = outcome.bullets_used ?? [];
  if (reported.length > 0) {
    const byId = new Map(bullets.map((b) => [b.id, b]));
    const ids = [...new Set(reported.filter((id) => byId.has(id)))];
    const known = ids.map((id) => renderBullet(byId.get(id)!, true));
    const unknown = reported.filter((id) => !byId.has(id));
    const extra = unknown.length ? `\n(reported but not in the playbook: ${unknown.join(", ")})` : "";
    return { intro: "Bullets the agent reports having used:", lines: known.join("\n") + extra, ids };
  }
  const lines: string[] = [];
  const ids: string[] = [];
  let tokens = 0;
  for (const bullet of bullets) {
    const line = renderBullet(bullet, true);
    tokens += countLineTokens(line) + 1;
    if (tokens > budget) break;
    lines.push(line);
    ids.push(bullet.id);
  }
  const omitted = bullets.length - lines.length;
  const note = omitted > 0 ? `\n(${omitted} more bullets not shown)` : "";
  return {
    intro: "The agent did not report which bullets it used. The playbook:",
    lines: lines.join("\n") + note,
    ids,
  };
}

/** Ids of the bullets the reflector is shown for this outcome: the only ones it may tag. */
export function shownBulletIds(
  bullets: readonly LocatedBullet[],
  outcome: OutcomeInput,
  options: EvolveOptions,
): Set<string> {
  return new Set(bulletsShown(bullets, outcome, options.reflectorPlaybookTokens).ids);
}

/**
 * A reflection made safe to store and to quote in the Curator's prompt: every text field cleaned
 * (one line, no control characters or unpaired surrogates) and cut to its limit; at most
 * MAX_STORED_TAGS tags, each a bounded preview. Tags are still checked one by one when applied.
 */
export function cleanReflection(reflection: Reflection): Reflection {
  const field = (text: string) => cleanField(text, TEXT_LIMITS.reflectionChars);
  return {
    reasoning: cleanField(reflection.reasoning, TEXT_LIMITS.reasoningChars),
    error_identification: field(reflection.error_identification),
    root_cause_analysis: field(reflection.root_cause_analysis),
    correct_approach: field(reflection.correct_approach),
    key_insight: field(reflection.key_insight),
    bullet_tags: reflection.bullet_tags.slice(0, MAX_STORED_TAGS).map((tag) => previewValue(tag)),
  };
}

/** The reflector's request for one outcome: system prompt plus the delimited, untrusted data. */
export function buildReflectorRequest(
  bullets: readonly LocatedBullet[],
  outcome: OutcomeInput,
  options: EvolveOptions,
): StructuredRequest<Reflection> {
  const shown = bulletsShown(bullets, outcome, options.reflectorPlaybookTokens);
  const user = fillTemplate(PROMPTS.reflectorInput, {
    outcome: outcome.outcome,
    task: dataBlock("TASK", elide(outcome.task_description, options.maxTraceChars)),
    trace: outcome.reasoning_trace
      ? dataBlock("TRACE", elide(outcome.reasoning_trace, options.maxTraceChars))
      : "(none)",
    notes: outcome.notes ? dataBlock("NOTES", elide(outcome.notes, options.maxTraceChars)) : "(none)",
    bullets_intro: shown.intro,
    bullets: shown.lines ? dataBlock("BULLETS", shown.lines) : "(none)",
  });
  return {
    role: "reflector",
    operation: "reflect",
    messages: [
      { role: "system", content: PROMPTS.reflectorSystem },
      { role: "user", content: user },
    ],
    schemaName: "reflection",
    jsonSchema: REFLECTION_JSON_SCHEMA,
    schema: Reflection,
    maxOutputTokens: options.reflectorMaxOutputTokens,
  };
}

/** One reflector call for one outcome. Throws LlmError (with `usage`) when the call fails. */
export function reflect(
  llm: LlmClient,
  bullets: readonly LocatedBullet[],
  outcome: OutcomeInput,
  options: EvolveOptions,
): Promise<StructuredResult<Reflection>> {
  return llm.generate(buildReflectorRequest(bullets, outcome, options));
}
