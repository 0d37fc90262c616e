export * from "./schemas.ts";
export { summarizeUsage } from "./usage-summary.ts";
