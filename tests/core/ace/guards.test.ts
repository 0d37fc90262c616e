import { describe, expect, test } from "bun:test";
import {
  applyOperations,
  ChangeLedger,
  countTokens,
  Draft,
  EngineError,
  parsePlaybook,
  pruneToBudget,
  summarizeChanges,
} from "../../../core/ace/index.ts";

const TEXT = [
  "## A",
  "[a-00001] helpful=5 harmful=0 :: Strong bullet that agents rely on every time.",
  "[a-00002] helpful=0 harmful=4 :: Harmful bullet that misleads agents.",
  "[a-00003] helpful=0 harmful=0 :: Old unused bullet.",
  "[a-00004] helpful=1 harmful=1 :: Mixed bullet.",
  "[a-00009] helpful=0 harmful=0 :: Newer unused bullet.",
  "[a-00005] helpful=2 harmful=2 :: Mixed bullet with more votes.",
].join("\n");

/** Pruning alone, with the change share lifted unless given. */
const prune = (draft: Draft, limits: { tokenBudget: number; maxContentBytes: number }, maxChangeShare = 1) =>
  pruneToBudget(new ChangeLedger(draft, { ...limits, maxChangeShare, minChangesAllowed: 0 }));

describe("token budget pruning", () => {
  test("removes the harmful-dominant bullet first, then never-helpful oldest, never truncating", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const budget = countTokens(TEXT) - 12;
    const log = prune(draft, { tokenBudget: budget, maxContentBytes: 100_000 });
    expect(log.map((e) => e.bulletIds[0])).toEqual(["a-00002"]);
    expect(log[0]).toMatchObject({ op: "PRUNE", source: "budget", status: "applied" });
    expect(countTokens(draft.render())).toBeLessThanOrEqual(budget);
    for (const line of draft.render().split("\n").slice(1)) expect(TEXT.split("\n")).toContain(line);
  });

  test("continues in order: lowest net score, then never helpful, then oldest", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const log = prune(draft, { tokenBudget: 30, maxContentBytes: 100_000 });
    expect(log.map((e) => e.bulletIds[0])).toEqual(["a-00002", "a-00003", "a-00009", "a-00004", "a-00005"]);
    expect(draft.render()).toBe(
      "## A\n[a-00001] helpful=5 harmful=0 :: Strong bullet that agents rely on every time.",
    );
    expect(summarizeChanges(log)).toBe(
      "+0 added, 0 updated, 0 merged, 0 removed, 5 pruned for the token budget",
    );
  });

  test("also prunes to the byte size limit", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const log = prune(draft, { tokenBudget: 100_000, maxContentBytes: TEXT.length - 30 });
    expect(log).toHaveLength(1);
    expect(Buffer.byteLength(draft.render())).toBeLessThanOrEqual(TEXT.length - 30);
  });

  test("does nothing within budget", () => {
    expect(prune(new Draft(parsePlaybook(TEXT)), { tokenBudget: 10_000, maxContentBytes: 100_000 })).toEqual(
      [],
    );
  });

  test("throws playbook_too_large, removing nothing, when free text alone is over the limit or budget", () => {
    const text = `${"prose ".repeat(50)}\n[a-00001] x`;
    for (const options of [
      { tokenBudget: 10_000, maxContentBytes: 100 },
      { tokenBudget: 20, maxContentBytes: 100_000 },
    ]) {
      const draft = new Draft(parsePlaybook(text));
      expect(() => prune(draft, options)).toThrow(EngineError);
      expect(() => prune(draft, options)).toThrow("Shorten that text");
      expect(draft.render()).toBe(text);
    }
  });
});

describe("pruning within the change share", () => {
  test("stops at the share, records that the playbook stays over budget, and never prunes beyond it for tokens", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const log = prune(draft, { tokenBudget: 30, maxContentBytes: 100_000 }, 0.34); // 6 bullets: 2 may change
    expect(log.filter((e) => e.status === "applied").map((e) => e.bulletIds[0])).toEqual([
      "a-00002",
      "a-00003",
    ]);
    expect(log.at(-1)).toMatchObject({ op: "PRUNE", status: "rejected", source: "budget" });
    expect(log.at(-1)?.rejection).toContain("would change more than 2 of its 6 bullets");
  });

  test("the size limit of a stored version overrides the share", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const log = prune(draft, { tokenBudget: 100_000, maxContentBytes: 120 }, 0.01);
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((e) => e.status === "applied")).toBe(true);
    expect(log.at(-1)?.reason).toContain("the size limit of a stored version overrides the change share");
    expect(Buffer.byteLength(draft.render())).toBeLessThanOrEqual(120);
  });

  test("a section pruning empties loses its header; one that was empty stays", () => {
    const text =
      "## EMPTY\n\n## A\n[a-00001] helpful=0 harmful=3 :: bad\n\n## B\n[b-00002] helpful=4 harmful=0 :: good\n";
    const draft = new Draft(parsePlaybook(text));
    prune(draft, { tokenBudget: countTokens(text) - 3, maxContentBytes: 100_000 });
    expect(draft.render()).toBe("## EMPTY\n\n## B\n[b-00002] helpful=4 harmful=0 :: good\n");
  });
});

describe("collapse guard", () => {
  const ids = Array.from({ length: 20 }, (_, i) => `a-${String(i + 1).padStart(5, "0")}`);
  const text = `## A\n${ids.map((id) => `[${id}] bullet ${id}`).join("\n")}`;
  const options = {
    maxChangeShare: 0.3,
    minChangesAllowed: 2,
    similarityThreshold: 0.8,
    maxBulletChars: 2_000,
    tokenBudget: 100_000,
    maxContentBytes: 100_000,
  };
  const remove = (id: string) => ({ type: "REMOVE", bullet_id: id, reason: "tidy" });
  const update = (id: string) => ({ type: "UPDATE", bullet_id: id, content: "ok" });

  test("allows changing up to the share", () => {
    const draft = new Draft(parsePlaybook(text));
    const log = applyOperations(
      draft,
      [...ids.slice(0, 3).map(remove), ...ids.slice(3, 6).map(update)],
      options,
    );
    expect(log.every((e) => e.status === "applied")).toBe(true);
  });

  test("refuses every UPDATE, MERGE and REMOVE of a reply that changes more, applies its ADDs, and says why", () => {
    const draft = new Draft(parsePlaybook(text));
    const add = { type: "ADD", section: "A", content: "A genuinely new lesson." };
    const log = applyOperations(
      draft,
      [...ids.slice(0, 4).map(remove), ...ids.slice(4, 7).map(update), add],
      options,
    );
    expect(log.map((e) => e.status)).toEqual([...Array(7).fill("rejected"), "applied"]);
    expect(log[0]?.rejection).toBe(
      "collapse guard: the reply would change 7 of 20 bullets (35%) in one evolution; at most 6 (30%) may change at once, so none of its UPDATE, MERGE and REMOVE operations were applied",
    );
    expect(draft.ids()).toHaveLength(21);
  });

  test("always allows the minimum number of changes on small playbooks", () => {
    const draft = new Draft(parsePlaybook("## A\n[a-1] x\n[a-2] y\n[a-3] z"));
    const log = applyOperations(draft, [remove("a-1"), remove("a-2")], options);
    expect(log.map((e) => e.status)).toEqual(["applied", "applied"]);
  });
});
