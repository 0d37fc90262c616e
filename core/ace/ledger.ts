import { countLineTokens, countTextTokensByLine } from "../llm/tokens.ts";
import type { Draft } from "./draft.ts";
import { renderBullet } from "./format.ts";
import { bulletNumber } from "./ids.ts";
import type { Bullet, LocatedBullet } from "./types.ts";
import { byteLength } from "./validate.ts";

export interface GuardOptions {
  /** Largest share of the playbook's bullets one evolution may change (UPDATE, MERGE, REMOVE, pruning). */
  maxChangeShare: number;
  /** Changes always allowed however small the playbook, so small playbooks can still be edited. */
  minChangesAllowed: number;
  tokenBudget: number;
  maxContentBytes: number;
}

/** How many bullets of a playbook with `bulletCount` bullets one evolution may change. */
export const changeAllowance = (bulletCount: number, options: GuardOptions): number =>
  Math.max(options.minChangesAllowed, Math.floor(bulletCount * options.maxChangeShare));

/** Evidence of helping that outweighs any harm: such a bullet is never pruned to make room for an ADD. */
export const isProven = (bullet: Pick<Bullet, "helpful" | "harmful">): boolean =>
  bullet.helpful > bullet.harmful;

/** Pruning order: lowest net score, then never helpful, then oldest (lowest number), then id. */
export function pruneOrder(a: LocatedBullet | Bullet, b: LocatedBullet | Bullet): number {
  const net = a.helpful - a.harmful - (b.helpful - b.harmful);
  if (net !== 0) return net;
  const neverHelpful = Number(b.helpful === 0) - Number(a.helpful === 0);
  if (neverHelpful !== 0) return neverHelpful;
  const age =
    (bulletNumber(a.id) ?? Number.MAX_SAFE_INTEGER) - (bulletNumber(b.id) ?? Number.MAX_SAFE_INTEGER);
  return age !== 0 ? age : a.id.localeCompare(b.id);
}

export interface Size {
  tokens: number;
  bytes: number;
}

/** What one line adds to the text: its tokens and bytes plus its newline (additive by line). */
export const lineSize = (line: string): Size => ({
  tokens: countLineTokens(line) + 1,
  bytes: byteLength(line) + 1,
});

export const textSize = (text: string): Size => ({
  tokens: countTextTokensByLine(text),
  bytes: byteLength(text),
});

const share = (n: number) => `${Math.round(n * 100)}%`;

/**
 * The one ledger of an evolution's guards: how many of the playbook's bullets may still change,
 * which have changed, and the running size of the text. Operations and pruning both draw on it.
 */
export class ChangeLedger {
  readonly baseCount: number;
  readonly allowance: number;
  readonly changed = new Set<string>();
  size: Size;

  constructor(
    readonly draft: Draft,
    readonly options: GuardOptions,
  ) {
    this.baseCount = draft.ids().length;
    this.allowance = changeAllowance(this.baseCount, options);
    this.size = textSize(draft.render());
  }

  get remaining(): number {
    return Math.max(0, this.allowance - this.changed.size);
  }

  /** The refusal of a reply whose UPDATE/MERGE/REMOVE operations would change `count` bullets, or null. */
  collapseRefusal(count: number): string | null {
    if (count <= this.allowance) return null;
    return (
      `collapse guard: the reply would change ${count} of ${this.baseCount} bullets ` +
      `(${share(count / Math.max(1, this.baseCount))}) in one evolution; at most ${this.allowance} ` +
      `(${share(this.options.maxChangeShare)}) may change at once, so none of its UPDATE, MERGE and ` +
      "REMOVE operations were applied"
    );
  }

  /** The refusal of a rewrite that grows the text by `delta` past the budget or limit, or null. */
  growthRefusal(delta: Size): string | null {
    const tokens = this.size.tokens + delta.tokens;
    const bytes = this.size.bytes + delta.bytes;
    const grows = delta.tokens > 0 || delta.bytes > 0;
    if (!grows || (tokens <= this.options.tokenBudget && bytes <= this.options.maxContentBytes)) return null;
    return (
      `it would take the playbook to ${tokens} tokens / ${bytes} bytes, over its budget of ` +
      `${this.options.tokenBudget} tokens / ${this.options.maxContentBytes} bytes; no bullet is pruned to make room for a rewrite`
    );
  }

  grow(delta: Size): void {
    this.size = { tokens: this.size.tokens + delta.tokens, bytes: this.size.bytes + delta.bytes };
  }

  /** Bullets pruning may take: in the playbook before this evolution and not changed by it, in pruning order. */
  pruneCandidates(): Bullet[] {
    return this.draft
      .ids()
      .filter((id) => !this.changed.has(id) && !this.draft.isNew(id))
      .map((id) => this.draft.get(id) as Bullet)
      .sort(pruneOrder);
  }

  /**
   * The room ADDs have: the budget left plus what pruning may free within the remaining share,
   * taking only unproven bullets, so new bullets never push out proven ones.
   */
  addRoom(): Size {
    const room = {
      tokens: this.options.tokenBudget - this.size.tokens,
      bytes: this.options.maxContentBytes - this.size.bytes,
    };
    for (const bullet of this.pruneCandidates().slice(0, this.remaining)) {
      if (isProven(bullet)) break;
      const freed = lineSize(renderBullet(bullet));
      room.tokens += freed.tokens;
      room.bytes += freed.bytes;
    }
    return room;
  }
}
