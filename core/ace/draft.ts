import { renderBullet, sectionKey } from "./format.ts";
import { IdAllocator, slugForSection } from "./ids.ts";
import type { Bullet, BulletSnapshot, LocatedBullet, Playbook, PlaybookLine } from "./types.ts";

interface BulletSlot {
  kind: "bullet";
  bullet: Bullet;
  block: Block;
  removed: boolean;
  /** Added in this draft (not in the source playbook). */
  fresh: boolean;
}
type TextSlot = { kind: "text"; text: string };

/** A section: its header (none for the text before the first one) and its lines. */
interface Block {
  header: { text: string; name: string } | null;
  items: Array<TextSlot | BulletSlot>;
  /** Added bullets go after this item (the last original bullet); -1: right under the header. */
  insertAfter: number;
  added: BulletSlot[];
  originalBullets: number;
  live: number;
  created: boolean;
  hasProse: boolean;
  slug: string | null;
}

const newBlock = (header: Block["header"], created: boolean): Block => ({
  header,
  items: [],
  insertAfter: -1,
  added: [],
  originalBullets: 0,
  live: 0,
  created,
  hasProse: false,
  slug: null,
});

/**
 * A mutable working copy of a playbook that operations edit in place. The source playbook is
 * never touched (bullets are copied). Every edit is O(1) apart from the bullet's own text, so
 * applying a reply is linear in its size. A section this draft leaves without bullets (and
 * without free text) loses its header; sections that were empty in the source stay as written.
 */
export class Draft {
  private readonly blocks: Block[] = [];
  private readonly byKey = new Map<string, Block>();
  private readonly slots = new Map<string, BulletSlot>();
  private readonly allocator: IdAllocator;
  private trailingNewline = false;

  constructor(playbook: Playbook, idFloor = 0) {
    const lines = playbook.lines.slice();
    // Set the file's final newline aside so that sections appended at the end land before it.
    const last = lines.at(-1);
    if (last?.kind === "text" && last.text === "") {
      lines.pop();
      this.trailingNewline = lines.length > 0;
    }
    let block = newBlock(null, false);
    this.blocks.push(block);
    for (const line of lines) {
      if (line.kind === "section") {
        block = this.openBlock({ text: line.text, name: line.name }, false);
      } else if (line.kind === "text") {
        block.items.push(line);
        if (line.text.trim() !== "") block.hasProse = true;
      } else {
        const slot = this.slot({ ...line.bullet }, block, false);
        block.items.push(slot);
        block.insertAfter = block.items.length - 1;
        block.originalBullets += 1;
      }
    }
    this.allocator = new IdAllocator(this.slots.keys(), idFloor);
  }

  private openBlock(header: NonNullable<Block["header"]>, created: boolean): Block {
    const block = newBlock(header, created);
    this.blocks.push(block);
    const key = sectionKey(header.name);
    if (!this.byKey.has(key)) this.byKey.set(key, block);
    return block;
  }

  private slot(bullet: Bullet, block: Block, fresh: boolean): BulletSlot {
    const slot: BulletSlot = { kind: "bullet", bullet, block, removed: false, fresh };
    this.slots.set(bullet.id, slot);
    block.live += 1;
    return slot;
  }

  /** The live bullet with this id (mutable: counters and content are edited in place). */
  get(id: string): Bullet | undefined {
    const slot = this.slots.get(id);
    return slot && !slot.removed ? slot.bullet : undefined;
  }

  /** Added by this draft rather than present in the source playbook. */
  isNew(id: string): boolean {
    return this.slots.get(id)?.fresh === true;
  }

  ids(): string[] {
    return [...this.slots.values()].filter((s) => !s.removed).map((s) => s.bullet.id);
  }

  bullets(): LocatedBullet[] {
    const result: LocatedBullet[] = [];
    for (const line of this.lines()) {
      if (line.kind === "bullet") result.push({ ...line.bullet, section: this.sectionOf(line.bullet.id) });
    }
    return result;
  }

  /** Live bullets of the section with this name (by `sectionKey`), in document order. */
  sectionBullets(section: string): Bullet[] {
    const block = this.byKey.get(sectionKey(section));
    if (!block) return [];
    const slots = [...block.items, ...block.added].filter((s): s is BulletSlot => s.kind === "bullet");
    return slots.filter((s) => !s.removed).map((s) => s.bullet);
  }

  sectionOf(id: string): string | null {
    return this.slots.get(id)?.block.header?.name ?? null;
  }

  snapshot(id: string): BulletSnapshot {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`snapshot of unknown bullet ${id}`);
    const { helpful, harmful, content } = slot.bullet;
    return { id, section: this.sectionOf(id), helpful, harmful, content };
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (!slot || slot.removed) return;
    slot.removed = true;
    slot.block.live -= 1;
  }

  /** Whether an ADD to this section would create it (and so add a header line). */
  hasSection(section: string): boolean {
    return this.byKey.has(sectionKey(section));
  }

  /** The id the next `add` to this section will get. */
  peekId(section: string): string {
    return this.allocator.peek(this.slugOf(section));
  }

  private slugOf(section: string): string {
    const block = this.byKey.get(sectionKey(section));
    if (!block) return slugForSection([], section);
    block.slug ??= slugForSection(
      this.sectionBullets(section).map((bullet) => ({ ...bullet, section })),
      section,
    );
    return block.slug;
  }

  /** Appends a new bullet (fresh id, counters 0) to a section, creating the section at the end. */
  add(section: string, content: string): Bullet {
    const id = this.allocator.allocate(this.slugOf(section));
    // New headers follow the ACE convention of upper-case section names.
    const name = section.toUpperCase();
    const block = this.byKey.get(sectionKey(section)) ?? this.openBlock({ text: `## ${name}`, name }, true);
    const bullet: Bullet = { id, helpful: 0, harmful: 0, content, plain: false };
    block.added.push(this.slot(bullet, block, true));
    return bullet;
  }

  private dropped(block: Block): boolean {
    const hadBullets = block.originalBullets > 0 || block.created;
    return block.header !== null && hadBullets && block.live === 0 && !block.hasProse;
  }

  /** The live lines in document order (without the final newline). */
  lines(): PlaybookLine[] {
    const out: PlaybookLine[] = [];
    for (const block of this.blocks) {
      if (this.dropped(block)) continue;
      const previous = out.at(-1);
      if (block.created && previous && !(previous.kind === "text" && previous.text.trim() === "")) {
        out.push({ kind: "text", text: "" });
      }
      if (block.header) out.push({ kind: "section", ...block.header });
      const { items, insertAfter, added } = block;
      for (const item of [...items.slice(0, insertAfter + 1), ...added, ...items.slice(insertAfter + 1)]) {
        if (item.kind === "text") out.push(item);
        else if (!item.removed) out.push({ kind: "bullet", bullet: item.bullet });
      }
    }
    return out;
  }

  /** The draft as a parsed playbook (final newline included), for stats and prompts. */
  toPlaybook(): Playbook {
    const lines = this.lines();
    if (this.trailingNewline && lines.length > 0) lines.push({ kind: "text", text: "" });
    return { lines };
  }

  /** The text; `withCounters` shows every counter (for prompts). */
  render(options: { withCounters?: boolean } = {}): string {
    const out: string[] = [];
    for (const line of this.lines()) {
      out.push(line.kind === "bullet" ? renderBullet(line.bullet, options.withCounters) : line.text);
    }
    const text = out.join("\n");
    return this.trailingNewline && out.length > 0 ? `${text}\n` : text;
  }
}
