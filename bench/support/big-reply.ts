/**
 * A Curator reply of `size` operations against a playbook, as a broken or hostile model might send:
 * 70% ADDs of distinct lessons spread over the playbook's sections and a few new ones, the rest
 * UPDATEs, REMOVEs and MERGEs of its bullets (far past the change share, so the collapse guard
 * refuses them after checking each one), with some near duplicates and unknown ids mixed in.
 */
import {
  type EvolveOptions,
  evolvePlaybook,
  listBullets,
  parsePlaybook,
  sectionNames,
} from "../../core/ace/index.ts";
import { type LlmClient, validateOutput } from "../../core/llm/index.ts";

function operations(content: string, size: number): unknown[] {
  const ids = listBullets(parsePlaybook(content)).map((b) => b.id);
  const sections = [...sectionNames(content), "NEW LESSONS", "MORE LESSONS"];
  const op = (type: string, fields: Record<string, unknown>) => ({
    type,
    section: null,
    bullet_id: null,
    bullet_ids: null,
    content: null,
    reason: "bench",
    ...fields,
  });
  return Array.from({ length: size }, (_, i) => {
    const id = i % 50 === 0 ? `ghost-${i}` : (ids[i % ids.length] ?? "none");
    switch (i % 10) {
      case 7:
        return op("UPDATE", {
          bullet_id: id,
          content: `Updated lesson ${i}: paginate with page_index until empty.`,
        });
      case 8:
        return op("REMOVE", { bullet_id: id });
      case 9:
        return op("MERGE", { bullet_ids: [id, ids[(i + 1) % ids.length]], content: `Merged lesson ${i}.` });
      default: {
        const text =
          i % 13 === 0 ? "Always look at API specifications before calling an API." : `Lesson ${i}`;
        return op("ADD", {
          section: sections[i % sections.length],
          content: `${text}: check field f${i} of app a${i % 97}.`,
        });
      }
    }
  });
}

/**
 * Wall time of one evolution whose Curator reply has `size` operations (one outcome; the
 * reflection and reply are produced in-process and validated with the real schema, as in the
 * main bench). Returns the time in ms and how many operations applied.
 */
export async function timeBigReply(
  content: string,
  size: number,
  options: Partial<EvolveOptions>,
): Promise<{ ms: number; applied: number; refused: number }> {
  const ops = operations(content, size);
  const llm: LlmClient = {
    models: { reflector: "bench", curator: "bench" },
    generate: async (request) => {
      const value =
        request.role === "curator"
          ? { reasoning: "big", operations: ops }
          : {
              reasoning: "r",
              error_identification: "",
              root_cause_analysis: "c",
              correct_approach: "a",
              key_insight: "k",
              bullet_tags: [],
            };
      const checked = validateOutput(JSON.stringify(value), request.schema);
      if (!checked.ok) throw new Error(checked.error);
      return { value: checked.value, usage: [] };
    },
  };
  const outcome = {
    id: "o1",
    task_description: "big reply",
    outcome: "failure" as const,
    reasoning_trace: null,
    notes: null,
    bullets_used: null,
  };
  const start = performance.now();
  const result = await evolvePlaybook(content, [outcome], llm, options);
  const ms = performance.now() - start;
  const curatorOps = result.operations.filter((e) => e.source === "curator");
  const applied = curatorOps.filter((e) => e.status === "applied").length;
  return { ms, applied, refused: result.refusals.total };
}
