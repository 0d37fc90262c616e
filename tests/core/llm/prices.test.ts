import { describe, expect, test } from "bun:test";
import { computeCostUsd, parseRetryAfter, resolvePrice, sumCostUsd } from "../../../core/llm/index.ts";

describe("prices", () => {
  test("cost is exact decimal arithmetic with 6 places", () => {
    const mini = resolvePrice("gpt-4o-mini").price;
    expect(computeCostUsd(mini, 1_000_000, 1_000_000)).toBe("0.750000");
    expect(computeCostUsd(mini, 1, 0)).toBe("0.000000");
    expect(computeCostUsd(mini, 4, 0)).toBe("0.000001"); // 0.6 µ$ rounds half-up
    expect(computeCostUsd(resolvePrice("gpt-4o").price, 123_456_789, 9_876_543)).toBe("407.407403");
    // 0.1 + 0.2 in floats is 0.30000000000000004; here sums stay exact.
    expect(sumCostUsd(["0.100000", "0.200000", "1.000001"])).toBe("1.300001");
  });

  test("dated variants and provider prefixes resolve to the longest matching entry", () => {
    expect(resolvePrice("gpt-4o-mini-2024-07-18")).toMatchObject({
      source: "table",
      price: { inputMicroUsdPerM: 150_000 },
    });
    expect(resolvePrice("gpt-4o-2024-08-06").price.inputMicroUsdPerM).toBe(2_500_000);
    expect(resolvePrice("openai/gpt-4.1-mini").price.outputMicroUsdPerM).toBe(1_600_000);
    expect(resolvePrice("GPT-5")).toMatchObject({ source: "table" });
  });

  test("overrides win; unknown models cost zero and say so", () => {
    const overrides = { "my-model": { inputMicroUsdPerM: 1_000_000, outputMicroUsdPerM: 2_000_000 } };
    expect(resolvePrice("my-model", overrides).source).toBe("override");
    expect(resolvePrice("qwen2.5:7b")).toEqual({
      source: "unknown",
      price: { inputMicroUsdPerM: 0, outputMicroUsdPerM: 0 },
    });
  });
});

describe("Retry-After", () => {
  test("reads seconds, milliseconds and HTTP dates", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "3" }))).toBe(250);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }))).toBeNull();
    expect(parseRetryAfter(new Headers())).toBeNull();
  });
});
