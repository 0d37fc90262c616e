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

/** Memoises word sets by text, for comparing one candidate against many bullets. */
export class SimilarityIndex {
  private readonly cache = new Map<string, Set<string>>();

  words(text: string): Set<string> {
    let set = this.cache.get(text);
    if (!set) {
      set = wordSet(text);
      this.cache.set(text, set);
    }
    return set;
  }

  /** The first candidate at or above `threshold` with the highest similarity, or null. */
  closest<T extends { content: string }>(
    text: string,
    candidates: readonly T[],
    threshold: number,
  ): T | null {
    const target = this.words(text);
    let best: T | null = null;
    let bestScore = threshold;
    for (const candidate of candidates) {
      const score = jaccard(target, this.words(candidate.content));
      if (score >= bestScore && (best === null || score > bestScore)) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  }
}
