import { describe, expect, test } from "bun:test";
import {
  formatPeriod,
  formatTokens,
  formatUsd,
  formatUsdTick,
  layoutBars,
} from "../../admin/src/lib/charts/index.ts";

describe("formats", () => {
  test("tokens: exact when small, compact when large", () => {
    expect(formatTokens(0)).toBe("0");
    expect(formatTokens(9876)).toBe("9,876");
    expect(formatTokens(12_345)).toBe("12.3K");
    expect(formatTokens(4_500_000)).toBe("4.5M");
    expect(formatTokens(Number.NaN)).toBe("–");
  });

  test("dollars keep fractions of a cent readable", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0042)).toBe("$0.0042");
    expect(formatUsd(0.00001234)).toBe("$0.000012");
    expect(formatUsd(1.5)).toBe("$1.50");
    expect(formatUsd(1234.567)).toBe("$1,234.57");
    expect(formatUsd(25_000)).toBe("$25K");
    expect(formatUsdTick(0)).toBe("$0");
    expect(formatUsdTick(0.005)).toBe("$0.005");
    expect(formatUsdTick(2)).toBe("$2");
  });

  test("periods are labelled in UTC", () => {
    expect(formatPeriod("2026-12-02")).toBe("Dec 2");
    expect(formatPeriod("2026-12-01T00:00:00.000Z", "month")).toBe("Dec 2026");
    expect(formatPeriod("not a date")).toBe("not a date");
  });
});

describe("layoutBars", () => {
  const days = Array.from({ length: 30 }, (_, i) => ({
    key: `2026-11-${String(i + 1).padStart(2, "0")}`,
    value: i * 100,
  }));

  test("bars fit the plot, the tallest reaches the nice top tick, ticks are round", () => {
    const layout = layoutBars(days, { width: 600, height: 200 }, formatTokens);
    expect(layout.bars).toHaveLength(30);
    const bottom = layout.plot.top + layout.plot.height;
    for (const bar of layout.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(layout.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(layout.plot.left + layout.plot.width + 1e-9);
      expect(bar.y + bar.height).toBeCloseTo(bottom);
    }
    expect(layout.bars[0]?.height).toBe(0);
    expect(layout.yTicks.map((t) => t.value)).toEqual([0, 1000, 2000, 3000]);
    expect(layout.yTicks.map((t) => t.label)).toEqual(["0", "1,000", "2,000", "3,000"]);
    // 2900 on a 0–3000 axis.
    const top = layout.bars[29]!;
    expect(top.height / layout.plot.height).toBeCloseTo(2900 / 3000);
    expect(layout.linePath.startsWith("M")).toBe(true);
  });

  test("x labels are thinned to at most maxXLabels", () => {
    const layout = layoutBars(days, { width: 320, height: 160 }, formatTokens, { maxXLabels: 4 });
    expect(layout.xLabels.length).toBeLessThanOrEqual(4);
    expect(layout.xLabels.at(-1)?.key).toBe("2026-11-30");
  });

  test("an all-zero or empty series still draws an axis", () => {
    const zeros = layoutBars([{ key: "a", value: 0 }], { width: 100, height: 100 }, formatUsdTick);
    expect(zeros.yTicks[0]?.label).toBe("$0");
    expect(zeros.yTicks.at(-1)?.value).toBe(1);
    const empty = layoutBars([], { width: 100, height: 100 }, formatTokens);
    expect(empty.bars).toEqual([]);
    expect(empty.linePath).toBe("");
  });

  test("bad values draw as zero", () => {
    const layout = layoutBars(
      [
        { key: "a", value: Number.NaN },
        { key: "b", value: -5 },
        { key: "c", value: 10 },
      ],
      { width: 100, height: 100 },
      formatTokens,
    );
    expect(layout.bars.map((b) => b.value)).toEqual([0, 0, 10]);
  });
});
