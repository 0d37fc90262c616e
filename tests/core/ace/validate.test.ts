import { describe, expect, test } from "bun:test";
import { EngineError, parseValidPlaybook, validatePlaybookText } from "../../../core/ace/index.ts";
import { readFixture } from "../../support/fixtures.ts";

describe("validatePlaybookText", () => {
  test("accepts the fixtures (the large one only with a raised limit)", async () => {
    expect(validatePlaybookText(await readFixture("appworld_initial_playbook.txt")).ok).toBe(true);
    const big = await readFixture("appworld_online_trained_playbook.txt");
    expect(validatePlaybookText(big)).toEqual({
      ok: false,
      errors: ["playbook is 130120 bytes; the limit is 102400 bytes"],
    });
    expect(validatePlaybookText(big, { maxBytes: 200_000 }).ok).toBe(true);
  });

  test("reports every format problem with its line number", () => {
    const text = [
      "## A",
      "[a-00001] fine",
      "[a-00001] duplicate",
      "[a-00002] helpful=x harmful=0 :: bad counters",
      "[a-00003]",
      "[a-00004] helpful=1 harmful=0 :: ",
      "##",
    ].join("\n");
    const result = validatePlaybookText(text);
    expect(result).toEqual({
      ok: false,
      errors: [
        "line 3: duplicate bullet id [a-00001] (first used on line 2)",
        'line 4: malformed counters; expected "[id] helpful=N harmful=N :: content" with N of at most 9 digits',
        "line 5: bullet [a-00003] has no content",
        "line 6: bullet [a-00004] has no content",
        "line 7: section header without a name",
      ],
    });
  });

  test("counters beyond 9 digits are malformed, not silently rounded", () => {
    const result = validatePlaybookText("## A\n[a-00001] helpful=99999999999999999999999 harmful=0 :: x\n");
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors[0]).toContain("at most 9 digits");
  });

  test("accepts empty text and free prose", () => {
    expect(validatePlaybookText("").ok).toBe(true);
    expect(validatePlaybookText("Just notes.\n\n").ok).toBe(true);
  });
});

describe("parseValidPlaybook", () => {
  test("throws a permanent EngineError naming the problems", () => {
    const error = (() => {
      try {
        parseValidPlaybook("[a-1] x\n[a-1] y", 1000);
      } catch (e) {
        return e;
      }
    })() as EngineError;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe("invalid_playbook");
    expect(error.transient).toBe(false);
    expect(error.message).toContain("line 2: duplicate bullet id [a-1]");
  });

  test("throws playbook_too_large over the size limit", () => {
    expect(() => parseValidPlaybook("x".repeat(11), 10)).toThrow(/11 bytes; the limit is 10 bytes/);
  });
});
