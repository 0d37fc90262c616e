import { describe, expect, test } from "bun:test";
import {
  assertNoCollapse,
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

describe("token budget pruning", () => {
  test("removes the harmful-dominant bullet first, then never-helpful oldest, never truncating", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const budget = countTokens(TEXT) - 12;
    const log = pruneToBudget(draft, { tokenBudget: budget, maxContentBytes: 100_000 });
    expect(log.map((e) => e.bulletIds[0])).toEqual(["a-00002"]);
    expect(log[0]).toMatchObject({ op: "PRUNE", source: "budget", status: "applied" });
    expect(countTokens(draft.render())).toBeLessThanOrEqual(budget);
    for (const line of draft.render().split("\n").slice(1)) expect(TEXT.split("\n")).toContain(line);
  });

  test("continues in order: lowest net score, then never helpful, then oldest", () => {
    const draft = new Draft(parsePlaybook(TEXT));
    const log = pruneToBudget(draft, { tokenBudget: 30, maxContentBytes: 100_000 });
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
    const log = pruneToBudget(draft, { tokenBudget: 100_000, maxContentBytes: TEXT.length - 30 });
    expect(log).toHaveLength(1);
    expect(Buffer.byteLength(draft.render())).toBeLessThanOrEqual(TEXT.length - 30);
  });

  test("does nothing within budget", () => {
    expect(
      pruneToBudget(new Draft(parsePlaybook(TEXT)), { tokenBudget: 10_000, maxContentBytes: 100_000 }),
    ).toEqual([]);
  });

  test("throws playbook_too_large, removing nothing, when free text alone is over the limit or budget", () => {
    const text = `${"prose ".repeat(50)}\n[a-00001] x`;
    for (const options of [
      { tokenBudget: 10_000, maxContentBytes: 100 },
      { tokenBudget: 20, maxContentBytes: 100_000 },
    ]) {
      const draft = new Draft(parsePlaybook(text));
      expect(() => pruneToBudget(draft, options)).toThrow(EngineError);
      expect(() => pruneToBudget(draft, options)).toThrow("Shorten that text");
      expect(draft.render()).toBe(text);
    }
  });
});

describe("collapse guard", () => {
  const ids = Array.from({ length: 20 }, (_, i) => `a-${String(i + 1).padStart(5, "0")}`);
  const text = `## A\n${ids.map((id) => `[${id}] bullet ${id}`).join("\n")}`;
  const options = { maxRemovalShare: 0.3, collapseMinRemovals: 2 };

  test("allows removing up to the share", () => {
    const draft = new Draft(parsePlaybook(text));
    for (const id of ids.slice(0, 6)) draft.remove(id);
    expect(() => assertNoCollapse(ids, draft, options)).not.toThrow();
  });

  test("rejects a candidate that removes more, with a readable permanent error", () => {
    const draft = new Draft(parsePlaybook(text));
    for (const id of ids.slice(0, 7)) draft.remove(id);
    let error: unknown;
    try {
      assertNoCollapse(ids, draft, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({
      code: "collapse_guard",
      transient: false,
      details: { removed: 7, base_count: 20, allowed: 6 },
    });
    expect((error as Error).message).toBe(
      "Rejected: the curator proposed removing 7 of 20 bullets (35%) in one evolution; at most 6 (30%) may go at once. The playbook was left unchanged.",
    );
  });

  test("always allows the minimum number of removals on small playbooks", () => {
    const draft = new Draft(parsePlaybook("## A\n[a-1] x\n[a-2] y\n[a-3] z"));
    draft.remove("a-1");
    draft.remove("a-2");
    expect(() => assertNoCollapse(["a-1", "a-2", "a-3"], draft, options)).not.toThrow();
  });
});
