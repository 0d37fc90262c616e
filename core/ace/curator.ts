import { z } from "zod";
import type { LlmClient, StructuredRequest, StructuredResult } from "../llm/types.ts";
import type { EvolveOptions } from "./options.ts";
import type { OutcomeInput } from "./outcomes.ts";
import { dataBlock, fillTemplate, PROMPTS } from "./prompts/index.ts";
import type { Reflection } from "./reflector.ts";
import type { PlaybookStats } from "./stats.ts";

export const Curation = z.object({
  reasoning: z.string(),
  // Ops are validated one by one when applied: an invalid op is logged, not fatal.
  operations: z.array(z.unknown()),
});
export type Curation = z.infer<typeof Curation>;

const nullable = (type: string) => ({ type: [type, "null"] });
export const CURATION_JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["reasoning", "operations"],
  properties: {
    reasoning: { type: "string" },
    operations: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["type", "section", "bullet_id", "bullet_ids", "content", "reason"],
        properties: {
          type: { type: "string", enum: ["ADD", "UPDATE", "MERGE", "REMOVE"] },
          section: nullable("string"),
          bullet_id: nullable("string"),
          bullet_ids: { type: ["array", "null"], items: { type: "string" } },
          content: nullable("string"),
          reason: { type: "string" },
        },
      },
    },
  },
} as const;

/** A reflection together with the outcome it is about. */
export interface ReflectedOutcome {
  outcome: OutcomeInput;
  reflection: Reflection;
}

const LISTED_IDS = 40;
const ids = (list: string[]) =>
  list.length === 0 ? "none" : list.slice(0, LISTED_IDS).join(", ") + (list.length > LISTED_IDS ? ", …" : "");

function describeStats(stats: PlaybookStats): string {
  const sections = stats.sections.map(
    (s) => `  - ${s.name ?? "(before the first section)"}: ${s.bulletCount}`,
  );
  return [
    `- bullets: ${stats.bulletCount}`,
    "- bullets per section:",
    ...sections,
    `- high-performing (${stats.highPerforming.length}): ${ids(stats.highPerforming)}`,
    `- problematic (${stats.problematic.length}): ${ids(stats.problematic)}`,
    `- unused (never tagged): ${stats.unused.length}`,
  ].join("\n");
}

function describeReflection({ outcome, reflection }: ReflectedOutcome, index: number): string {
  return [
    `### Attempt ${index + 1} — outcome: ${outcome.outcome}`,
    `Task: ${outcome.task_description}`,
    `Error: ${reflection.error_identification}`,
    `Root cause: ${reflection.root_cause_analysis}`,
    `Correct approach: ${reflection.correct_approach}`,
    `Key insight: ${reflection.key_insight}`,
  ].join("\n");
}

/** The curator's request for one group of reflections against the (tagged) base playbook. */
export function buildCuratorRequest(
  playbookText: string,
  stats: PlaybookStats,
  group: readonly ReflectedOutcome[],
  options: EvolveOptions,
): StructuredRequest<Curation> {
  const user = fillTemplate(PROMPTS.curatorInput, {
    stats: describeStats(stats),
    budget: String(options.tokenBudget),
    tokens: String(stats.tokens),
    playbook: dataBlock("PLAYBOOK", playbookText),
    count: String(group.length),
    reflections: dataBlock("REFLECTIONS", group.map(describeReflection).join("\n\n")),
  });
  return {
    role: "curator",
    operation: "curate",
    messages: [
      { role: "system", content: PROMPTS.curatorSystem },
      { role: "user", content: user },
    ],
    schemaName: "curation",
    jsonSchema: CURATION_JSON_SCHEMA,
    schema: Curation,
    maxOutputTokens: options.curatorMaxOutputTokens,
  };
}

/** Splits reflections into groups of `size`, in order (Combee: one overloaded call collapses). */
export function groupReflections<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/** One curator call. Throws LlmError (with `usage`) when the call fails. */
export function curate(
  llm: LlmClient,
  request: StructuredRequest<Curation>,
): Promise<StructuredResult<Curation>> {
  return llm.generate(request);
}
