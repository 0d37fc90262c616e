import { describe, expect, test } from "bun:test";
import {
  applyOperations,
  applyTags,
  Draft,
  parsePlaybook,
  previewValue,
  summarizeChanges,
} from "../../../core/ace/index.ts";

const BASE = [
  "## RULES",
  "[r-00001] helpful=2 harmful=0 :: Read the API docs first.",
  "[r-00002] helpful=1 harmful=3 :: Retry forever on errors.",
  "[r-00003] Paginate through every page of results.",
  "",
  "## OTHERS",
  "[o-00004] helpful=0 harmful=0 :: Call complete_task at the end.",
  "",
].join("\n");

// The change share is lifted here: these tests are about what each op does, not the guard.
const OPTIONS = {
  similarityThreshold: 0.8,
  maxBulletChars: 200,
  maxChangeShare: 1,
  minChangesAllowed: 0,
  tokenBudget: 100_000,
  maxContentBytes: 100_000,
};
const run = (ops: unknown[], text = BASE) => {
  const draft = new Draft(parsePlaybook(text));
  const log = applyOperations(draft, ops, OPTIONS);
  return { draft, log, text: draft.render() };
};

describe("valid operations", () => {
  test("ADD appends to its section with a fresh id and zero counters", () => {
    const { log, text } = run([
      { type: "ADD", section: "rules", content: "Check auth tokens expire.", reason: "seen twice" },
    ]);
    expect(text).toContain(
      "[r-00003] Paginate through every page of results.\n[r-00005] helpful=0 harmful=0 :: Check auth tokens expire.\n\n## OTHERS",
    );
    expect(log[0]).toMatchObject({
      op: "ADD",
      status: "applied",
      bulletIds: ["r-00005"],
      reason: "seen twice",
      before: [],
    });
    expect(log[0]?.after).toEqual({
      id: "r-00005",
      section: "RULES",
      helpful: 0,
      harmful: 0,
      content: "Check auth tokens expire.",
    });
  });

  test("ADD to an unknown section creates it at the end, keeping the final newline", () => {
    const { text } = run([{ type: "ADD", section: "Error Handling", content: "Log the status code." }]);
    expect(
      text.endsWith(
        "[o-00004] helpful=0 harmful=0 :: Call complete_task at the end.\n\n## ERROR HANDLING\n[eh-00005] helpful=0 harmful=0 :: Log the status code.\n",
      ),
    ).toBe(true);
  });

  test("UPDATE replaces content and keeps id and counters", () => {
    const { log, text } = run([
      {
        type: "UPDATE",
        bullet_id: "r-00002",
        content: "Retry at most 3 times with backoff.",
        reason: "harmful",
      },
    ]);
    expect(text).toContain("[r-00002] helpful=1 harmful=3 :: Retry at most 3 times with backoff.");
    expect(log[0]?.before[0]?.content).toBe("Retry forever on errors.");
  });

  test("MERGE keeps the first id with summed counters and removes the others", () => {
    const { draft, log, text } = run([
      { type: "MERGE", bullet_ids: ["r-00001", "r-00002"], content: "Read docs; retry with backoff." },
    ]);
    expect(text).toContain("[r-00001] helpful=3 harmful=3 :: Read docs; retry with backoff.");
    expect(draft.get("r-00002")).toBeUndefined();
    expect(log[0]).toMatchObject({ op: "MERGE", status: "applied", bulletIds: ["r-00001", "r-00002"] });
    expect(log[0]?.before).toHaveLength(2);
  });

  test("REMOVE drops the bullet and logs its last state with the reason", () => {
    const { text, log } = run([{ type: "REMOVE", bullet_id: "r-00002", reason: "harmful" }]);
    expect(text).not.toContain("r-00002");
    expect(log[0]).toMatchObject({ op: "REMOVE", status: "applied", reason: "harmful", after: null });
  });

  test("ops apply in order and the summary counts them", () => {
    const { log } = run([
      { type: "ADD", section: "RULES", content: "New one." },
      { type: "UPDATE", bullet_id: "r-00003", content: "Paginate with page_index until empty." },
      { type: "MERGE", bullet_ids: ["r-00001", "o-00004"], content: "Docs first, complete_task last." },
      { type: "REMOVE", bullet_id: "r-00002", reason: "bad" },
      { type: "REMOVE", bullet_id: "r-00002", reason: "again" },
    ]);
    expect(summarizeChanges(log)).toBe("+1 added, 1 updated, 1 merged, 1 removed, 1 rejected");
    expect(log[4]?.rejection).toBe("bullet r-00002 was already removed earlier in this evolution");
  });

  test("newlines in proposed content and sections are folded to spaces", () => {
    const { text } = run([
      { type: "ADD", section: "RULES\n", content: "Line one\n  line two\r\nline three\n" },
    ]);
    expect(text).toContain(":: Line one line two line three\n");
  });

  test("op types are accepted in any case and [brackets] around ids are ignored", () => {
    const { log } = run([{ type: "remove", bullet_id: "[r-00002]" }]);
    expect(log[0]).toMatchObject({ op: "REMOVE", status: "applied" });
  });
});

describe("near-duplicate ADD", () => {
  // Counters change only through tags (issue 16): a duplicate is refused, not turned into a bump.
  test("is refused, naming the bullet of the same section it repeats, and no counter moves", () => {
    const { log, text } = run([{ type: "ADD", section: "RULES", content: "Read the API docs first!" }]);
    expect(text).toBe(BASE);
    expect(log[0]).toMatchObject({
      op: "ADD",
      status: "rejected",
      duplicateOf: "r-00001",
      rejection:
        "near duplicate of r-00001 in the same section; not added (counters change only through tags)",
    });
    expect(summarizeChanges(log)).toBe("+0 added, 0 updated, 0 merged, 0 removed, 1 duplicate skipped");
  });

  test("a duplicate of a bullet added earlier in the batch is refused; the first one stays at 0/0", () => {
    const { text, log } = run([
      { type: "ADD", section: "OTHERS", content: "Cache the access token between calls." },
      { type: "ADD", section: "OTHERS", content: "cache the access token between calls" },
      { type: "ADD", section: "OTHERS", content: "Cache the access token between calls!!" },
    ]);
    expect(text).toContain("[o-00005] helpful=0 harmful=0 :: Cache the access token between calls.");
    expect(text).not.toContain("o-00006");
    expect(log.map((e) => e.duplicateOf)).toEqual([null, "o-00005", "o-00005"]);
  });

  test("the same content in another section is not a duplicate", () => {
    const { text } = run([{ type: "ADD", section: "OTHERS", content: "Read the API docs first." }]);
    expect(text).toContain("[o-00005] helpful=0 harmful=0 :: Read the API docs first.");
  });
});

describe("invalid operations are skipped and logged, never thrown", () => {
  const cases: Array<[string, unknown, string]> = [
    ["unknown type", { type: "REWRITE", content: "x" }, 'unknown operation type "REWRITE"'],
    ["missing type", { content: "x" }, "unknown operation type null"],
    ["not an object", "ADD r-1", "operation is not an object"],
    [
      "UPDATE of an unknown id",
      { type: "UPDATE", bullet_id: "r-09999", content: "x" },
      "unknown bullet id r-09999",
    ],
    ["REMOVE of an unknown id", { type: "REMOVE", bullet_id: "nope" }, "unknown bullet id nope"],
    [
      "MERGE with an unknown id",
      { type: "MERGE", bullet_ids: ["r-00001", "zz"], content: "x" },
      "unknown bullet id zz",
    ],
    [
      "MERGE with one id",
      { type: "MERGE", bullet_ids: ["r-00001"], content: "x" },
      "bullet_ids: MERGE needs at least two bullet ids",
    ],
    [
      "MERGE listing an id twice",
      { type: "MERGE", bullet_ids: ["r-00001", "r-00001"], content: "x" },
      "bullet id r-00001 is listed twice",
    ],
    [
      "ADD with empty content",
      { type: "ADD", section: "RULES", content: " \n " },
      "content: content must not be empty",
    ],
    [
      "ADD without section",
      { type: "ADD", section: null, content: "x" },
      "section: Invalid input: expected string, received null",
    ],
    [
      "UPDATE with empty content",
      { type: "UPDATE", bullet_id: "r-00001", content: "" },
      "content: content must not be empty",
    ],
    [
      "UPDATE to the same content",
      { type: "UPDATE", bullet_id: "r-00001", content: "Read the API docs first." },
      "content is unchanged",
    ],
    [
      "content over the length limit",
      { type: "ADD", section: "RULES", content: "y".repeat(201) },
      "content is 201 characters; the limit is 200",
    ],
  ];
  for (const [name, op, rejection] of cases) {
    test(name, () => {
      const { log, text } = run([op]);
      expect(log).toHaveLength(1);
      // The proposal is kept as a cleaned, bounded preview (here: " \n " becomes "").
      expect(log[0]).toMatchObject({ status: "rejected", rejection, proposed: previewValue(op) });
      expect(text).toBe(BASE);
    });
  }

  test("an invalid op does not stop the ones after it", () => {
    const { log } = run([
      { type: "UPDATE", bullet_id: "zz", content: "x" },
      { type: "REMOVE", bullet_id: "r-00002" },
    ]);
    expect(log.map((e) => e.status)).toEqual(["rejected", "applied"]);
  });
});

describe("counter tags", () => {
  test("helpful and harmful bump counters, neutral changes nothing, unknown ids are logged", () => {
    const draft = new Draft(parsePlaybook(BASE));
    const log = applyTags(draft, [
      {
        outcomeId: "o1",
        shown: new Set(["r-00001", "r-00003"]),
        tags: [
          { id: "r-00003", tag: "helpful" },
          { id: "r-00001", tag: "neutral" },
        ],
      },
      {
        outcomeId: "o2",
        shown: new Set(["r-00001", "r-00003"]),
        tags: [
          { id: "r-00003", tag: "harmful" },
          { id: "ghost", tag: "helpful" },
          { id: "r-00001", tag: "great" },
        ],
      },
    ]);
    expect(draft.render()).toContain(
      "[r-00003] helpful=1 harmful=1 :: Paginate through every page of results.",
    );
    expect(draft.get("r-00001")).toMatchObject({ helpful: 2, harmful: 0 });
    expect(log.map((e) => [e.status, e.outcomeId, e.rejection])).toEqual([
      ["applied", "o1", null],
      ["applied", "o2", null],
      ["rejected", "o2", "unknown bullet id ghost"],
      ["rejected", "o2", 'tag: Invalid option: expected one of "helpful"|"harmful"|"neutral"'],
    ]);
  });
});
