import type { Draft } from "../draft.ts";
import { renderBullet, sectionKey } from "../format.ts";
import { type ChangeLedger, lineSize, type Size } from "../ledger.ts";
import { MAX_COMPARISONS, SectionIndex } from "../similarity.ts";
import { rejected, tooLong } from "./handlers.ts";
import type { CuratorOp } from "./schemas.ts";
import { type ChangeEntry, entry } from "./types.ts";

type AddOp = Extract<CuratorOp, { type: "ADD" }>;

export interface AddOptions {
  /** Jaccard word similarity at or above which an ADD is a duplicate of a bullet in its section. */
  similarityThreshold: number;
  maxBulletChars: number;
}

/**
 * ADDs, applied after the reply's other operations. They compete with each other, first come
 * first served, for the room the ledger grants (the budget left plus what pruning may free from
 * unproven bullets within the change share), so an ADD never pushes out a proven bullet. A near
 * duplicate of a bullet in its section is refused: counters change only through tags. Each ADD
 * costs O(its length) plus the bullets sharing its rarest words (see SectionIndex).
 */
export class AddStage {
  private readonly room: Size;
  private readonly indexes = new Map<string, SectionIndex>();
  private readonly comparisons = { left: MAX_COMPARISONS };

  constructor(
    private readonly ledger: ChangeLedger,
    private readonly options: AddOptions,
  ) {
    this.room = ledger.addRoom();
  }

  private get draft(): Draft {
    return this.ledger.draft;
  }

  apply(op: AddOp): ChangeEntry {
    const problem = tooLong(op.content, this.options.maxBulletChars);
    if (problem) return rejected(op, problem);
    const cost = this.cost(op);
    if (cost.tokens > this.room.tokens || cost.bytes > this.room.bytes) {
      return rejected(
        op,
        `no room left within the token budget (${this.ledger.options.tokenBudget} tokens) and size limit ` +
          `(${this.ledger.options.maxContentBytes} bytes): ADDs only take room that is free or held by unproven bullets`,
      );
    }
    const index = this.indexFor(op.section);
    const twin = index.closest(op.content, this.options.similarityThreshold);
    if (twin) {
      return {
        ...rejected(
          op,
          `near duplicate of ${twin} in the same section; not added (counters change only through tags)`,
        ),
        duplicateOf: twin,
      };
    }
    this.room.tokens -= cost.tokens;
    this.room.bytes -= cost.bytes;
    this.ledger.grow(cost);
    const bullet = this.draft.add(op.section, op.content);
    index.add(bullet.id, bullet.content);
    return entry({
      op: "ADD",
      status: "applied",
      source: "curator",
      bulletIds: [bullet.id],
      after: this.draft.snapshot(bullet.id),
      reason: op.reason,
    });
  }

  /** The new line, plus a header and a blank line when the ADD creates its section. */
  private cost(op: AddOp): Size {
    const id = this.draft.peekId(op.section);
    const line = lineSize(renderBullet({ id, helpful: 0, harmful: 0, content: op.content, plain: false }));
    if (this.draft.hasSection(op.section)) return line;
    const header = lineSize(`## ${op.section.toUpperCase()}`);
    return { tokens: line.tokens + header.tokens + 1, bytes: line.bytes + header.bytes + 1 };
  }

  private indexFor(section: string): SectionIndex {
    const key = sectionKey(section);
    let index = this.indexes.get(key);
    if (!index) {
      index = new SectionIndex(this.comparisons);
      for (const bullet of this.draft.sectionBullets(section)) index.add(bullet.id, bullet.content);
      this.indexes.set(key, index);
    }
    return index;
  }
}
