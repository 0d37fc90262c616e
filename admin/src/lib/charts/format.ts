// Number formats for usage figures. Intl is built in, so nothing ships for locales.

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat("en-US");

/** Tokens: exact below 10 000 ("9,876"), compact above ("12.3K", "4.5M"). */
export function formatTokens(tokens: number): string {
  if (!Number.isFinite(tokens)) return "–";
  return Math.abs(tokens) < 10_000 ? whole.format(Math.round(tokens)) : compact.format(tokens);
}

/**
 * US dollars. LLM costs are often fractions of a cent, so small amounts keep significant digits
 * ("$0.0042") instead of rounding to "$0.00"; a true zero is "$0.00".
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return "–";
  const abs = Math.abs(usd);
  if (abs === 0) return "$0.00";
  if (abs < 0.01) {
    return new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: "USD",
      maximumSignificantDigits: 2,
    }).format(usd);
  }
  if (abs >= 10_000) {
    return new Intl.NumberFormat("en-US", {
      style: "currency",
      currency: "USD",
      notation: "compact",
      maximumFractionDigits: 1,
    }).format(usd);
  }
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(usd);
}

/** Axis tick for dollars: fewer digits than `formatUsd`, ticks are round numbers anyway. */
export function formatUsdTick(usd: number): string {
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 1) return `$${Number(usd.toPrecision(2))}`;
  return formatUsd(usd).replace(/\.00$/, "");
}

/** A period start ("2026-12-02" or a full ISO time) as a short UTC label: "Dec 2", or "Dec 2026" by month. */
export function formatPeriod(iso: string, granularity: "day" | "week" | "month" = "day"): string {
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions =
    granularity === "month"
      ? { month: "short", year: "numeric", timeZone: "UTC" }
      : { month: "short", day: "numeric", timeZone: "UTC" };
  return new Intl.DateTimeFormat("en-US", options).format(date);
}
