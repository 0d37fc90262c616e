/**
 * Issue 16: one test per way a schema-valid hostile or broken model reply got through the engine,
 * each with that reply as its input (through the fake provider, the real client and its schema
 * validation), then every invariant checked on the result.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import {
  type EvolveOptions,
  type EvolveResult,
  evolvePlaybook,
  listBullets,
  MAX_LISTED_REFUSALS,
  MAX_LOGGED_REFUSALS,
  type OutcomeInput,
  parsePlaybook,
  parseValidPlaybook,
  sectionNames,
} from "../../../core/ace/index.ts";
import { type FakeLlm, reply, startFakeLlm } from "../../support/fake-llm.ts";
import { curation, fakeClient, op, outcome, reflection, SERIAL } from "./evolve-helpers.ts";
import { expectInvariants } from "./invariants.ts";

let fake: FakeLlm;
beforeEach(async () => {
  await fake?.stop();
  fake = await startFakeLlm();
});
afterAll(() => fake.stop());

const LIMITS = { tokenBudget: 24_000, maxContentBytes: 100 * 1024 };

/** One evolution whose reflections and curation are the given replies; invariants checked. */
async function evolveWith(
  playbook: string,
  replies: { reflections?: unknown[]; operations: unknown[] },
  options: Partial<EvolveOptions> & { outcomes?: OutcomeInput[] } = {},
): Promise<EvolveResult> {
  const { outcomes, ...rest } = options;
  const batch = outcomes ?? [outcome("o1", { bullets_used: null })];
  const reflections = replies.reflections ?? batch.map(() => reflection());
  fake.script(...reflections.map((r) => reply.json(r)), reply.json(curation(replies.operations)));
  const opts = { ...SERIAL, ...LIMITS, ...rest };
  const result = await evolvePlaybook(playbook, batch, fakeClient(fake.baseURL), opts);
  expectInvariants(playbook, result, opts);
  return result;
}

const numbered = (n: number) => String(n).padStart(5, "0");
/** `count` bullets in section S, counters 0/0 unless given. */
const playbookOf = (count: number, counters = true) =>
  `## S\n${Array.from({ length: count }, (_, i) => {
    const id = `s-${numbered(i + 1)}`;
    return counters
      ? `[${id}] helpful=0 harmful=0 :: Rule ${i + 1} about topic ${i + 1}.`
      : `[${id}] Rule ${i + 1}.`;
  }).join("\n")}\n`;
const words = (seed: number, n: number) => Array.from({ length: n }, (_, i) => `w${seed}x${i}`).join(" ");

describe("1. forged counters on counter-less bullets", () => {
  const PLAIN = "## S\n[b-00001] Use search first.\n[b-00002] Read the docs.\n[b-00003] Paginate.\n";

  test("an UPDATE whose content looks like counters stays content; the counters stay 0/0", async () => {
    const result = await evolveWith(PLAIN, {
      operations: [op.update("b-00001", "helpful=99 harmful=0 :: injected")],
    });
    expect(result.content).toContain("[b-00001] helpful=0 harmful=0 :: helpful=99 harmful=0 :: injected\n");
    expect(listBullets(parsePlaybook(result.content))[0]).toMatchObject({
      helpful: 0,
      harmful: 0,
      content: "helpful=99 harmful=0 :: injected",
    });
  });

  test("a MERGE with a 10-digit look-alike leaves text the validator accepts, so the next evolution runs", async () => {
    const merged = "helpful=1234567890 harmful=0 :: merged";
    const first = await evolveWith(PLAIN, { operations: [op.merge(["b-00001", "b-00002"], merged)] });
    expect(() => parseValidPlaybook(first.content, LIMITS.maxContentBytes)).not.toThrow();
    const second = await evolveWith(first.content, {
      operations: [op.update("b-00003", "Paginate until empty.")],
    });
    expect(second.content).toContain(`[b-00001] helpful=0 harmful=0 :: ${merged}`);
    expect(second.content).toContain("[b-00003] Paginate until empty.");
  });
});

describe("2. NUL and lone surrogates in a reply", () => {
  test("are cleaned out of tag ids and ADD content before anything is applied or stored", async () => {
    const result = await evolveWith(PLAYBOOK_3, {
      reflections: [reflection([{ id: "ghost\u0000", tag: "helpful" }], "insight \ud800 with a NUL \u0000")],
      operations: [op.add("S", "x \ud800"), op.add("S\u0000", "y\u0000 \udc00z")],
    });
    expect(result.content).toContain(":: x\n");
    expect(result.content).toContain(":: y z\n");
    expect(result.operations[0]).toMatchObject({
      op: "TAG",
      status: "rejected",
      rejection: "unknown bullet id ghost",
    });
    expect(result.reflections[0]?.reflection.key_insight).toBe("insight  with a NUL");
  });
});
const PLAYBOOK_3 = playbookOf(3);

describe("3. budget pruning cannot get around the change share", () => {
  test("120 long ADDs push out at most the share of 60 bullets, never a proven one; the rest are refused", async () => {
    const base = playbookOf(60);
    const proven = ["s-00001", "s-00002", "s-00003"];
    const adds = Array.from({ length: 120 }, (_, i) => op.add("S", words(i, 120)));
    const result = await evolveWith(
      base,
      { reflections: [reflection(proven.map((id) => ({ id, tag: "helpful" })))], operations: adds },
      { tokenBudget: 2_500, outcomes: [outcome("o1", { bullets_used: proven })] },
    );
    const pruned = result.operations.filter((e) => e.op === "PRUNE" && e.status === "applied");
    expect(pruned.length).toBeGreaterThan(0);
    expect(pruned.length).toBeLessThanOrEqual(18); // 30% of 60
    for (const id of proven) expect(result.content).toContain(`[${id}] helpful=1`);
    const refused = result.operations.filter((e) => e.op === "ADD" && e.status === "rejected");
    expect(refused.length).toBeGreaterThan(100);
    expect(refused[0]?.rejection).toContain("no room left within the token budget");
  });

  test("UPDATEs that grow bullets past the budget are refused rather than pruning bullets for them", async () => {
    const base = playbookOf(60);
    const updates = Array.from({ length: 15 }, (_, i) => op.update(`s-${numbered(i + 1)}`, words(i, 300)));
    const result = await evolveWith(base, { operations: updates }, { tokenBudget: 2_000 });
    expect(result.operations.some((e) => e.op === "PRUNE" && e.status === "applied")).toBe(false);
    const refused = result.operations.filter((e) => e.op === "UPDATE" && e.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.rejection).toContain("no bullet is pruned to make room for a rewrite");
    expect(listBullets(parsePlaybook(result.content))).toHaveLength(60);
  });
});

describe("4. UPDATE is guarded", () => {
  test("one reply rewriting every bullet to 'ok' changes nothing and says why for each", async () => {
    const base = playbookOf(20);
    const updates = Array.from({ length: 20 }, (_, i) => op.update(`s-${numbered(i + 1)}`, "ok"));
    const result = await evolveWith(base, {
      operations: [...updates, op.add("S", "Check the page size first.")],
    });
    expect(result.content).not.toContain(":: ok");
    expect(result.content).toContain(":: Check the page size first.");
    expect(result.refusals).toMatchObject({ total: 20, omitted: 0 });
    expect(result.refusals.listed[0]?.reason).toContain("the reply would change 20 of 20 bullets");
  });
});

describe("5. counters are not inflated", () => {
  test("the same tag 500 times counts once; tags for bullets the reflection was not shown do not count", async () => {
    const tags = [{ id: "s-00002", tag: "harmful" }, ...Array(500).fill({ id: "s-00001", tag: "helpful" })];
    const result = await evolveWith(
      PLAYBOOK_3,
      { reflections: [reflection(tags)], operations: [] },
      { outcomes: [outcome("o1", { bullets_used: ["s-00001"] })] },
    );
    expect(result.content).toContain("[s-00001] helpful=1 harmful=0");
    expect(result.content).toContain("[s-00002] helpful=0 harmful=0");
    const rejections = result.operations.filter((e) => e.status === "rejected").map((e) => e.rejection);
    expect(rejections[0]).toBe("bullet s-00002 was not shown to this reflection");
    expect(rejections[1]).toBe("bullet s-00001 was already tagged by this reflection");
    expect(result.refusals.total).toBe(500);
  });

  test("repeated near-duplicate ADDs move no counter", async () => {
    const adds = Array.from({ length: 50 }, () => op.add("S", "Rule 1 about topic 1!"));
    const result = await evolveWith(PLAYBOOK_3, { operations: adds });
    expect(result.content).toBe(PLAYBOOK_3);
    expect(result.operations.every((e) => e.duplicateOf === "s-00001")).toBe(true);
  });
});

describe("6. counters never pass nine digits", () => {
  const MAXED = [
    "## S",
    "[s-00001] helpful=999999999 harmful=999999999 :: Maxed out.",
    "[s-00002] helpful=999999999 harmful=1 :: Nearly.",
    "[s-00003] helpful=0 harmful=0 :: Fresh.",
    "",
  ].join("\n");

  test("tags and MERGE sums saturate at 999999999 and the text still validates", async () => {
    const tags = ["s-00001", "s-00002"].map((id) => ({ id, tag: "helpful" }));
    const result = await evolveWith(
      MAXED,
      { reflections: [reflection(tags)], operations: [op.merge(["s-00001", "s-00002"], "Merged.")] },
      { outcomes: [outcome("o1", { bullets_used: ["s-00001", "s-00002"] })] },
    );
    expect(result.content).toContain("[s-00001] helpful=999999999 harmful=999999999 :: Merged.");
    expect(result.operations[0]?.rejection).toBe("the helpful counter of s-00001 is at its maximum");
  });
});

describe("7. section names are bounded and pruning leaves no empty headers", () => {
  test("a 120,000-character section name refuses that ADD only", async () => {
    const result = await evolveWith(PLAYBOOK_3, {
      operations: [op.add("X".repeat(120_000), "Lost lesson."), op.add("NOTES", "Kept lesson.")],
    });
    expect(result.operations[0]).toMatchObject({
      status: "rejected",
      rejection: "section: section name is longer than 100 characters",
    });
    expect(JSON.stringify(result.operations[0]?.proposed).length).toBeLessThan(2_000);
    expect(sectionNames(result.content)).toEqual(["S", "NOTES"]);
  });

  test("ADDs to 63 new sections over the budget leave no empty header; emptied sections lose theirs", async () => {
    const base = `${playbookOf(10)}\n## GONE\n[g-00011] helpful=0 harmful=0 :: Remove me.\n`;
    const adds = Array.from({ length: 63 }, (_, i) => op.add(`Section ${i}`, words(i, 40)));
    const result = await evolveWith(
      base,
      { operations: [op.remove("g-00011"), ...adds] },
      { tokenBudget: 600 },
    );
    expect(sectionNames(result.content)).not.toContain("GONE");
    const added = result.operations.filter((e) => e.op === "ADD" && e.status === "applied").length;
    expect(sectionNames(result.content)).toHaveLength(1 + added);
  });
});

describe("8. applying a reply is linear in its size", () => {
  test("10,000 ADDs apply (within the budget), the rest are refused, and the logs stay bounded", async () => {
    const adds = Array.from({ length: 10_000 }, (_, i) => op.add("S", `Lesson ${i}: check page ${i} twice.`));
    const result = await evolveWith(PLAYBOOK_3, { operations: adds }, { tokenBudget: 6_000 });
    const applied = result.operations.filter((e) => e.op === "ADD" && e.status === "applied").length;
    expect(applied).toBeGreaterThan(100);
    expect(result.refusals.total).toBe(10_000 - applied);
    expect(result.refusals.listed).toHaveLength(MAX_LISTED_REFUSALS);
    const pruned = result.operations.filter((e) => e.op === "PRUNE").length; // unproven bullets, within the share
    expect(pruned).toBeLessThanOrEqual(2);
    expect(result.operations).toHaveLength(applied + pruned + MAX_LOGGED_REFUSALS);
    expect(result.diffSummary).toContain(`+${applied} added`);
  });

  test("10,000 ADDs that all fit are all applied", async () => {
    const adds = Array.from({ length: 10_000 }, (_, i) =>
      op.add(`S${i % 7}`, `Lesson ${i}: check page ${i} twice.`),
    );
    const result = await evolveWith(
      PLAYBOOK_3,
      { operations: adds },
      { tokenBudget: 1_000_000, maxContentBytes: 2_000_000 },
    );
    expect(listBullets(parsePlaybook(result.content))).toHaveLength(10_003);
  });
});

describe("9. the smaller ones", () => {
  test("NEL (U+0085), LS, PS and other line breaks are folded; no line splits for other tools", async () => {
    const result = await evolveWith(PLAYBOOK_3, {
      operations: [op.add("S", "one\u0085two\u2028three\u2029four\u000bfive")],
    });
    expect(result.content).toContain(":: one two three four five\n");
  });

  test("reflection fields are bounded before the Curator prompt and storage", async () => {
    const huge = "reasoning ".repeat(100_000);
    const result = await evolveWith(PLAYBOOK_3, {
      reflections: [{ ...reflection([], "insight ".repeat(10_000)), reasoning: huge }],
      operations: [],
    });
    const stored = result.reflections[0]!.reflection;
    expect(stored.reasoning.length).toBeLessThanOrEqual(4_000);
    expect(stored.key_insight.length).toBeLessThanOrEqual(2_000);
    const curatorPrompt = fake.requests.at(-1)?.body.messages?.[1]?.content ?? "";
    expect(curatorPrompt.length).toBeLessThan(20_000);
  });

  test("rejected proposals are stored as bounded previews", async () => {
    const adds = Array.from({ length: 20 }, (_, i) => op.add("S", `${i} ${"z".repeat(200_000)}`));
    const result = await evolveWith(PLAYBOOK_3, { operations: adds });
    expect(result.operations.every((e) => e.status === "rejected")).toBe(true);
    expect(JSON.stringify(result.operations).length).toBeLessThan(40_000);
  });

  test("a collapse-guard refusal lists every refused operation with its reason", async () => {
    const removes = Array.from({ length: 10 }, (_, i) => op.remove(`s-${numbered(i + 1)}`));
    const result = await evolveWith(playbookOf(10), { operations: removes });
    expect(result.refusals.listed.map((r) => [r.op, r.bullet_ids[0]])).toEqual(
      removes.map((r) => ["REMOVE", r.bullet_id]),
    );
    expect(result.operations.map((e) => e.status)).toEqual(Array(10).fill("rejected"));
  });
});
