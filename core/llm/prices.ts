/**
 * The one price table: list prices in USD per 1M tokens, stored as integer micro-dollars so that
 * cost arithmetic stays exact (BigInt, never floats). Checked against the providers' public price
 * pages in late 2025; update here and nowhere else.
 */
export interface ModelPrice {
  /** Micro-dollars per 1M input (prompt) tokens, e.g. $0.15 → 150_000. */
  inputMicroUsdPerM: number;
  /** Micro-dollars per 1M output (completion) tokens. */
  outputMicroUsdPerM: number;
}

const usd = (input: number, output: number): ModelPrice => ({
  inputMicroUsdPerM: Math.round(input * 1_000_000),
  outputMicroUsdPerM: Math.round(output * 1_000_000),
});

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  "gpt-5": usd(1.25, 10),
  "gpt-5-mini": usd(0.25, 2),
  "gpt-5-nano": usd(0.05, 0.4),
  "gpt-4.1": usd(2, 8),
  "gpt-4.1-mini": usd(0.4, 1.6),
  "gpt-4.1-nano": usd(0.1, 0.4),
  "gpt-4o": usd(2.5, 10),
  "gpt-4o-mini": usd(0.15, 0.6),
  o3: usd(2, 8),
  "o4-mini": usd(1.1, 4.4),
  "claude-sonnet-4-5": usd(3, 15),
  "claude-haiku-4-5": usd(1, 5),
  "gemini-2.5-pro": usd(1.25, 10),
  "gemini-2.5-flash": usd(0.3, 2.5),
  "deepseek-chat": usd(0.28, 0.42),
};

export type PriceSource = "override" | "table" | "unknown";

/** The price that applies to a model, and where it came from. */
export interface ResolvedPrice {
  price: ModelPrice;
  source: PriceSource;
}

const ZERO: ModelPrice = { inputMicroUsdPerM: 0, outputMicroUsdPerM: 0 };

/** Longest table key equal to the model or a dated/variant prefix of it (`gpt-4o-mini-2024-07-18`). */
function lookup(table: Readonly<Record<string, ModelPrice>>, model: string): ModelPrice | undefined {
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const k = key.toLowerCase();
    if ((model === k || model.startsWith(`${k}-`)) && (best === undefined || k.length > best.length))
      best = key;
  }
  return best === undefined ? undefined : table[best];
}

/**
 * Resolves a model's price: configured overrides first, then the table (provider prefixes such as
 * `openai/` are ignored). Unknown rule: a model in neither is priced at zero and reported as
 * `unknown` — typically a self-hosted model (vLLM, Ollama) whose tokens cost us nothing; operators
 * of a paid unknown model add it to the overrides.
 */
export function resolvePrice(
  model: string,
  overrides: Readonly<Record<string, ModelPrice>> = {},
): ResolvedPrice {
  const name = model.toLowerCase().split("/").pop() ?? "";
  const override = lookup(overrides, name) ?? lookup(overrides, model.toLowerCase());
  if (override) return { price: override, source: "override" };
  const listed = lookup(PRICE_TABLE, name);
  if (listed) return { price: listed, source: "table" };
  return { price: ZERO, source: "unknown" };
}

/**
 * Cost in USD as a decimal string with exactly 6 decimals (fits numeric(10,6)), rounded half-up
 * to the micro-dollar. Exact: tokens × micro-dollars-per-1M is a whole number of pico-dollars.
 */
export function computeCostUsd(price: ModelPrice, promptTokens: number, completionTokens: number): string {
  const pico =
    BigInt(promptTokens) * BigInt(price.inputMicroUsdPerM) +
    BigInt(completionTokens) * BigInt(price.outputMicroUsdPerM);
  const micro = (pico + 500_000n) / 1_000_000n;
  return formatMicroUsd(micro);
}

/** Formats integer micro-dollars as `D.DDDDDD`. */
export function formatMicroUsd(micro: bigint): string {
  const whole = micro / 1_000_000n;
  const frac = (micro % 1_000_000n).toString().padStart(6, "0");
  return `${whole}.${frac}`;
}

/** Sums decimal cost strings exactly (for totals across usage entries). */
export function sumCostUsd(costs: readonly string[]): string {
  let micro = 0n;
  for (const cost of costs) {
    const [whole = "0", frac = ""] = cost.split(".");
    micro += BigInt(whole) * 1_000_000n + BigInt(frac.padEnd(6, "0").slice(0, 6));
  }
  return formatMicroUsd(micro);
}
