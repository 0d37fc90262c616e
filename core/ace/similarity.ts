/** Lower-cased words (letters and digits) of a text, as a set. */
export function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []);
}

/** Jaccard similarity of two word sets, in [0, 1]; two empty sets count as identical. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const word of small) if (large.has(word)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** Bullets compared per look-up at most: keeps one look-up's cost independent of the section's size. */
export const MAX_CANDIDATES = 1_000;
/** Comparisons per evolution at most (a normal reply needs a few thousand); then exact duplicates only. */
export const MAX_COMPARISONS = 200_000;

interface Entry {
  id: string;
  words: Set<string>;
  order: number;
}

/** The comparisons an evolution may still spend on near-duplicate look-ups, shared by its sections. */
export interface ComparisonBudget {
  left: number;
}

const exactKey = (words: Set<string>) => [...words].sort().join(" ");

interface Words {
  words: Set<string>;
  key: string;
}

const WORDS_CACHE_LIMIT = 50_000;
const wordsCache = new Map<string, Words>();

/**
 * Word set and exact key of a bullet's content, memoised like token counts: successive versions
 * share almost all bullets, so a worker indexes each content once. Bounded by clearing.
 */
function wordsOf(text: string): Words {
  let cached = wordsCache.get(text);
  if (!cached) {
    const words = wordSet(text);
    cached = { words, key: exactKey(words) };
    if (wordsCache.size >= WORDS_CACHE_LIMIT) wordsCache.clear();
    wordsCache.set(text, cached);
  }
  return cached;
}

/**
 * The bullets of one section, indexed by word, for near-duplicate look-ups that do not compare a
 * candidate with every bullet. A bullet with the same words is found by a map look-up. Otherwise
 * a bullet B with jaccard(A, B) ≥ t shares at least ⌈t·|A|⌉ of A's words, so it contains at least
 * one of any |A| − ⌈t·|A|⌉ + 1 of them: only the bullets listed under A's rarest words that many
 * are compared. That is exact up to MAX_CANDIDATES bullets per look-up and MAX_COMPARISONS per
 * evolution; past either (thousands of bullets sharing an ADD's rarest words, which only a hostile
 * reply produces) a near duplicate with other words may go unnoticed and is then an ordinary bullet.
 */
export class SectionIndex {
  private readonly postings = new Map<string, Entry[]>();
  private readonly exact = new Map<string, Entry>();
  private count = 0;

  constructor(private readonly budget: ComparisonBudget = { left: MAX_COMPARISONS }) {}

  /** Adds a bullet; bullets added earlier win ties (add them in document order). */
  add(id: string, content: string): void {
    const { words, key } = wordsOf(content);
    const entry = { id, words, order: this.count++ };
    if (!this.exact.has(key)) this.exact.set(key, entry);
    for (const word of entry.words) {
      const list = this.postings.get(word);
      if (list) list.push(entry);
      else this.postings.set(word, [entry]);
    }
  }

  /** The id of the most similar bullet at or above `threshold` (earliest on ties), or null. */
  closest(text: string, threshold: number): string | null {
    const { words, key } = wordsOf(text);
    const same = this.exact.get(key);
    if (same) return same.id; // similarity 1, and the earliest such bullet
    let best: Entry | null = null;
    let bestScore = threshold;
    for (const entry of this.candidates(words, threshold)) {
      // Size filter: jaccard(A, B) ≤ min(|A|, |B|) / max(|A|, |B|).
      const [small, large] = [Math.min(entry.words.size, words.size), Math.max(entry.words.size, words.size)];
      if (small < threshold * large - 1e-9) continue;
      const score = jaccard(words, entry.words);
      const better =
        score > bestScore || (score === bestScore && (best === null || entry.order < best.order));
      if (score >= threshold && better) {
        best = entry;
        bestScore = score;
      }
    }
    return best?.id ?? null;
  }

  private candidates(words: Set<string>, threshold: number): Entry[] {
    if (words.size === 0) return []; // the only bullets similar to no words have no words: exact
    const needed = Math.ceil(threshold * words.size - 1e-9);
    const probe = words.size - needed + 1;
    const lists = [...words].map((word) => this.postings.get(word) ?? []).sort((a, b) => a.length - b.length);
    const limit = Math.min(MAX_CANDIDATES, this.budget.left);
    const found = new Set<Entry>();
    for (const list of lists.slice(0, probe)) {
      for (const entry of list) {
        if (found.size >= limit) break;
        found.add(entry);
      }
    }
    this.budget.left -= found.size;
    return [...found];
  }
}
