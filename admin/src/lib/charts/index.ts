export * from "./chart.ts";
export * from "./format.ts";
