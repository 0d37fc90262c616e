import { describe, expect, test } from "bun:test";
import { Tiktoken } from "js-tiktoken/lite";
import ranks from "js-tiktoken/ranks/o200k_base";
import { countTextTokensByLine, countTokens } from "../../../core/llm/tokens.ts";

const exact = new Tiktoken(ranks);
const exactCount = (text: string) => exact.encode(text).length;

describe("countTokens", () => {
  test("is exact for ordinary text", () => {
    for (const text of [
      "Run the narrowest failing test first.",
      "## STRATEGIES & INSIGHTS\n[str-00001] helpful=3 harmful=0 :: Prefer `apis.spotify.login()` over guessing.",
      "我们在这个项目中使用了策略。",
      "",
    ]) {
      expect(countTokens(text)).toBe(exactCount(text));
    }
  });

  test("special-token text like <|endoftext|> is counted as ordinary text, not an error", () => {
    const text = "Stop at <|endoftext|> or <|im_start|>.";
    expect(countTokens(text)).toBe(exact.encode(text, [], []).length);
    expect(countTokens(text)).toBeGreaterThan(8);
  });

  test("long runs without whitespace are counted in slices: close to exact, at most one below", () => {
    for (const run of [
      "a".repeat(600),
      "https://example.com/".repeat(30),
      "漢字".repeat(300),
      " ".repeat(600),
      "!?".repeat(300),
      "😀".repeat(40), // slices never split a surrogate pair
      `     ${"a".repeat(38)}`,
    ]) {
      const text = `before ${run} after`;
      const counted = countTokens(text);
      expect(counted).toBeGreaterThanOrEqual(exactCount(text) - 1);
      expect(counted).toBeLessThanOrEqual(exactCount(text) + 2 * Math.ceil(run.length / 16) + 2);
    }
  });

  test("a 100,000-character word or CJK text is counted at all (the exact encoder would take minutes)", () => {
    expect(countTokens("c".repeat(100_000))).toBeGreaterThan(6_000);
    expect(countTextTokensByLine(`## A\n[a-00001] ${"漢".repeat(30_000)}\n`)).toBeGreaterThan(10_000);
  });
});
