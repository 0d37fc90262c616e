import { scaleBand, scaleLinear } from "d3-scale";
import { line } from "d3-shape";

export interface ChartPoint {
  /** Period label key, e.g. "2026-12-02". */
  key: string;
  value: number;
}

export interface ChartSize {
  width: number;
  height: number;
  margin?: { top: number; right: number; bottom: number; left: number };
}

export interface Bar {
  key: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Tick {
  value: number;
  /** Position along the axis in SVG units. */
  at: number;
  label: string;
}

export interface BarLayout {
  bars: Bar[];
  yTicks: Tick[];
  /** A subset of keys to label on the x axis (about `maxXLabels`), with their centre positions. */
  xLabels: Array<{ key: string; at: number }>;
  /** The line through the bar tops, for a line chart of the same series ("" when empty). */
  linePath: string;
  plot: { left: number; top: number; width: number; height: number };
}

const DEFAULT_MARGIN = { top: 8, right: 8, bottom: 24, left: 56 };

/**
 * Lays out a bar chart (and the matching line) in SVG units. The y axis starts at 0 and is "nice"
 * (round top tick); an all-zero series still gets a 0–1 axis so an empty month draws a baseline.
 */
export function layoutBars(
  points: ChartPoint[],
  size: ChartSize,
  format: (value: number) => string,
  options: { yTicks?: number; maxXLabels?: number } = {},
): BarLayout {
  const margin = size.margin ?? DEFAULT_MARGIN;
  const plot = {
    left: margin.left,
    top: margin.top,
    width: Math.max(0, size.width - margin.left - margin.right),
    height: Math.max(0, size.height - margin.top - margin.bottom),
  };
  const max = Math.max(0, ...points.map((p) => (Number.isFinite(p.value) ? p.value : 0)));
  const y = scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .range([plot.top + plot.height, plot.top])
    .nice(options.yTicks ?? 4);
  const x = scaleBand<string>()
    .domain(points.map((p) => p.key))
    .range([plot.left, plot.left + plot.width])
    .paddingInner(points.length > 40 ? 0.1 : 0.25)
    .paddingOuter(0.1);

  const bars = points.map((p) => {
    const value = Number.isFinite(p.value) ? Math.max(0, p.value) : 0;
    const top = y(value);
    return {
      key: p.key,
      value,
      x: x(p.key) ?? plot.left,
      y: top,
      width: x.bandwidth(),
      height: plot.top + plot.height - top,
    };
  });

  const yTicks = y.ticks(options.yTicks ?? 4).map((value) => ({ value, at: y(value), label: format(value) }));

  const maxLabels = Math.max(1, options.maxXLabels ?? 6);
  const step = Math.max(1, Math.ceil(points.length / maxLabels));
  // Counted from the end, so the latest period (today) is always labelled.
  const xLabels = points
    .filter((_, index) => (points.length - 1 - index) % step === 0)
    .map((p) => ({ key: p.key, at: (x(p.key) ?? plot.left) + x.bandwidth() / 2 }));

  const path =
    line<Bar>()
      .x((b) => b.x + b.width / 2)
      .y((b) => b.y)(bars) ?? "";

  return { bars, yTicks, xLabels, linePath: path, plot };
}
