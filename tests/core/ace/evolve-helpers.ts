import type { OutcomeInput } from "../../../core/ace/index.ts";
import { createLlmClient } from "../../../core/llm/index.ts";

export const PLAYBOOK = [
  "## STRATEGIES",
  "[str-00001] helpful=1 harmful=0 :: Read the API docs before calling an unfamiliar endpoint.",
  "[str-00002] helpful=0 harmful=0 :: Loop over page_index until a page comes back empty.",
  "[str-00003] helpful=0 harmful=2 :: Guess parameter names from similar APIs.",
  "",
  "## MISTAKES",
  "[err-00004] helpful=0 harmful=0 :: Do not hard-code access tokens.",
  "",
].join("\n");

export const outcome = (id: string, overrides: Partial<OutcomeInput> = {}): OutcomeInput => ({
  id,
  task_description: `Task ${id}: list all songs in my playlists`,
  outcome: "failure",
  reasoning_trace: "Called spotify.show_playlist_library once and stopped at page 0.",
  notes: null,
  bullets_used: ["str-00002"],
  ...overrides,
});

export const reflection = (tags: Array<{ id: string; tag: string }> = [], insight = "Paginate.") => ({
  reasoning: "The agent read only the first page.",
  error_identification: "Stopped after page 0.",
  root_cause_analysis: "Ignored pagination.",
  correct_approach: "Loop until an empty page.",
  key_insight: insight,
  bullet_tags: tags,
});

export const curation = (operations: unknown[]) => ({ reasoning: "Small deltas.", operations });

export const op = {
  add: (section: string, content: string) => ({
    type: "ADD",
    section,
    bullet_id: null,
    bullet_ids: null,
    content,
    reason: "new lesson",
  }),
  update: (id: string, content: string) => ({
    type: "UPDATE",
    section: null,
    bullet_id: id,
    bullet_ids: null,
    content,
    reason: "sharpen",
  }),
  merge: (ids: string[], content: string) => ({
    type: "MERGE",
    section: null,
    bullet_id: null,
    bullet_ids: ids,
    content,
    reason: "overlap",
  }),
  remove: (id: string) => ({
    type: "REMOVE",
    section: null,
    bullet_id: id,
    bullet_ids: null,
    content: null,
    reason: "harmful",
  }),
};

/** Serial calls (scripted replies are consumed in order) and a fake clock. */
export const SERIAL = { reflectorConcurrency: 1, curatorConcurrency: 1 };

/** A generous timeout: a 10,000-operation reply on a loaded machine must not time out into a retry. */
export function fakeClient(baseURL: string, timeoutMs = 5_000) {
  return createLlmClient({
    baseURL,
    apiKey: "sk-test",
    models: { reflector: "gpt-4o-mini", curator: "gpt-4.1" },
    timeoutMs,
    maxAttempts: 3,
    backoffBaseMs: 1,
    sleep: async () => {},
  });
}

export { rejection } from "../llm/helpers.ts";
