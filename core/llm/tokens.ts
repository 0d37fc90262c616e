import { Tiktoken } from "js-tiktoken/lite";

/**
 * Token counting with js-tiktoken's o200k_base encoding (GPT-4o / GPT-4.1 / GPT-5 family).
 * For other providers' models it is an estimate, which is all we use it for: budgets, prompt
 * sizing and usage only when a response carries none.
 */
let encoder: { tiktoken: Tiktoken; pieces: RegExp } | null = null;

function getEncoder(): { tiktoken: Tiktoken; pieces: RegExp } {
  if (encoder === null) {
    // Loaded lazily and synchronously: the rank table costs ~0.5 s to parse, and most processes
    // that import the engine (API, MCP) never count a token.
    const module = require("js-tiktoken/ranks/o200k_base");
    const ranks = module.default ?? module;
    encoder = { tiktoken: new Tiktoken(ranks), pieces: new RegExp(ranks.pat_str, "gu") };
  }
  return encoder;
}

// js-tiktoken's merge is quadratic in the length of one pre-tokenized piece: a 4,000-character
// word, CJK sentence or run of spaces takes seconds, on the event loop. Pieces never span a
// whitespace boundary, so runs of more than 32 non-space (or space) characters are counted in
// SLICE-code-point slices instead: linear time. Cutting at the run's start can move a space the
// encoder would attach to the word, so one token is added per run. Measured on random texts with
// long runs: at most about two tokens per slice above the exact count, and in ~0.3% of them one
// token below it.
const LONG_RUN = /\S{33,}|\s{33,}/g;
const SLICE = 16;

const PIECE_CACHE_LIMIT = 200_000;
const pieceCache = new Map<string, number>();

/**
 * Tokens of text without long runs. The encoder splits text into pieces (words with their
 * leading space, numbers, punctuation, whitespace) and encodes each on its own, so the count is
 * the sum over pieces; the same few thousand pieces recur everywhere, so each is encoded once.
 * Special tokens such as "<|endoftext|>" are ordinary text here (js-tiktoken throws by default).
 */
function encodedLength(text: string): number {
  if (text.length === 0) return 0;
  const { tiktoken, pieces } = getEncoder();
  let total = 0;
  for (const [piece] of text.matchAll(pieces)) {
    let count = pieceCache.get(piece);
    if (count === undefined) {
      count = tiktoken.encode(piece, [], []).length;
      if (pieceCache.size >= PIECE_CACHE_LIMIT) pieceCache.clear();
      pieceCache.set(piece, count);
    }
    total += count;
  }
  return total;
}

/** Tokens of one long run, counted slice by slice (see SLICE). */
function countLongRun(run: string): number {
  const codePoints = Array.from(run); // never split a surrogate pair (an emoji) between slices
  let total = 1;
  for (let i = 0; i < codePoints.length; i += SLICE) {
    total += encodedLength(codePoints.slice(i, i + SLICE).join(""));
  }
  return total;
}

/**
 * o200k_base token count of `text`: exact for ordinary text, a slight overestimate for runs of
 * over 32 characters without (or of only) whitespace. Linear time; never throws.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  let total = 0;
  let from = 0;
  for (const run of text.matchAll(LONG_RUN)) {
    total += encodedLength(text.slice(from, run.index));
    total += countLongRun(run[0]);
    from = run.index + run[0].length;
  }
  return total + encodedLength(text.slice(from));
}

const LINE_CACHE_LIMIT = 50_000;
const lineCache = new Map<string, number>();

/**
 * Token count of one line, memoised: successive playbook versions share almost all their lines,
 * so a long-lived worker re-encodes only what changed.
 */
export function countLineTokens(line: string): number {
  const cached = lineCache.get(line);
  if (cached !== undefined) return cached;
  const count = countTokens(line);
  // Crude bound instead of an LRU: clearing costs one re-encode per line, never unbounded memory.
  if (lineCache.size >= LINE_CACHE_LIMIT) lineCache.clear();
  lineCache.set(line, count);
  return count;
}

/**
 * Token count of a multi-line text as the sum of its lines plus one per newline: 2–5% above the
 * exact count on real playbooks (the fixtures, the starters), so budgets err on the safe side,
 * and cheap on mostly-unchanged text.
 */
export function countTextTokensByLine(text: string): number {
  let total = 0;
  let newlines = 0;
  for (const line of text.split("\n")) {
    total += countLineTokens(line);
    newlines += 1;
  }
  return total + newlines - 1;
}

/** Empties the line cache, and the piece cache unless only lines are asked for (benchmarks). */
export function clearTokenCache(scope: "lines" | "all" = "all"): void {
  lineCache.clear();
  if (scope === "all") pieceCache.clear();
}
