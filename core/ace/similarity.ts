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

interface Entry {
  id: string;
  words: Set<string>;
  order: number;
}

/**
 * The bullets of one section, indexed by word, for near-duplicate look-ups that do not compare a
 * candidate with every bullet. A bullet B with jaccard(A, B) ≥ t shares at least ⌈t·|A|⌉ of A's
 * words, so it contains at least one of any |A| − ⌈t·|A|⌉ + 1 of them: only the bullets listed
 * under A's rarest words that many are compared. Exact, not an approximation.
 */
export class SectionIndex {
  private readonly postings = new Map<string, Entry[]>();
  private readonly wordless: Entry[] = [];
  private count = 0;

  /** Adds a bullet; bullets added earlier win ties (add them in document order). */
  add(id: string, content: string): void {
    const entry = { id, words: wordSet(content), order: this.count++ };
    if (entry.words.size === 0) this.wordless.push(entry);
    for (const word of entry.words) {
      const list = this.postings.get(word);
      if (list) list.push(entry);
      else this.postings.set(word, [entry]);
    }
  }

  /** The id of the most similar bullet at or above `threshold` (earliest on ties), or null. */
  closest(text: string, threshold: number): string | null {
    const words = wordSet(text);
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

  private candidates(words: Set<string>, threshold: number): Iterable<Entry> {
    if (words.size === 0) return this.wordless;
    const needed = Math.ceil(threshold * words.size - 1e-9);
    const probe = words.size - needed + 1;
    const lists = [...words].map((word) => this.postings.get(word) ?? []).sort((a, b) => a.length - b.length);
    const found = new Set<Entry>();
    for (const list of lists.slice(0, probe)) for (const entry of list) found.add(entry);
    return found;
  }
}
