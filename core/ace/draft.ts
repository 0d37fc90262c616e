import { listBullets, renderPlaybook, sectionKey } from "./format.ts";
import { IdAllocator, slugForSection } from "./ids.ts";
import type { Bullet, BulletSnapshot, LocatedBullet, Playbook, PlaybookLine } from "./types.ts";

/**
 * A mutable working copy of a playbook that operations edit in place. The source playbook is
 * never touched: bullets are copied on construction.
 */
export class Draft {
  readonly lines: PlaybookLine[];
  private readonly byId = new Map<string, Bullet>();
  private readonly removedIds = new Set<string>();
  private readonly allocator: IdAllocator;
  private trailingNewline = false;

  constructor(playbook: Playbook, idFloor = 0) {
    this.lines = playbook.lines.map((line) =>
      line.kind === "bullet" ? { kind: "bullet", bullet: { ...line.bullet } } : line,
    );
    // Set the file's final newline aside so that sections appended at the end land before it.
    const last = this.lines.at(-1);
    if (last?.kind === "text" && last.text === "") {
      this.lines.pop();
      this.trailingNewline = this.lines.length > 0;
    }
    for (const line of this.lines) if (line.kind === "bullet") this.byId.set(line.bullet.id, line.bullet);
    this.allocator = new IdAllocator(this.byId.keys(), idFloor);
  }

  get(id: string): Bullet | undefined {
    return this.byId.get(id);
  }

  wasRemoved(id: string): boolean {
    return this.removedIds.has(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  bullets(): LocatedBullet[] {
    return listBullets({ lines: this.lines });
  }

  sectionOf(id: string): string | null {
    let section: string | null = null;
    for (const line of this.lines) {
      if (line.kind === "section") section = line.name;
      else if (line.kind === "bullet" && line.bullet.id === id) return section;
    }
    return null;
  }

  snapshot(id: string): BulletSnapshot {
    const bullet = this.byId.get(id);
    if (!bullet) throw new Error(`snapshot of unknown bullet ${id}`);
    const { helpful, harmful, content } = bullet;
    return { id, section: this.sectionOf(id), helpful, harmful, content };
  }

  remove(id: string): void {
    const index = this.lines.findIndex((line) => line.kind === "bullet" && line.bullet.id === id);
    if (index === -1) return;
    this.lines.splice(index, 1);
    this.byId.delete(id);
    this.removedIds.add(id);
  }

  /** Appends a new bullet (fresh id, counters 0) to a section, creating the section at the end. */
  add(section: string, content: string): Bullet {
    const key = sectionKey(section);
    const id = this.allocator.allocate(slugForSection(this.bullets(), section));
    const bullet: Bullet = { id, helpful: 0, harmful: 0, content, plain: false };
    const header = this.lines.findIndex((line) => line.kind === "section" && sectionKey(line.name) === key);
    if (header === -1) {
      // New headers follow the ACE convention of upper-case section names.
      this.appendSection(section.toUpperCase());
      this.lines.push({ kind: "bullet", bullet });
    } else {
      this.lines.splice(this.insertionPoint(header), 0, { kind: "bullet", bullet });
    }
    this.byId.set(id, bullet);
    return bullet;
  }

  /** After the section's last bullet, or right under its header when it has none. */
  private insertionPoint(header: number): number {
    let point = header + 1;
    for (let i = header + 1; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (line?.kind === "section") break;
      if (line?.kind === "bullet") point = i + 1;
    }
    return point;
  }

  private appendSection(name: string): void {
    const last = this.lines.at(-1);
    if (this.lines.length > 0 && !(last?.kind === "text" && last.text.trim() === "")) {
      this.lines.push({ kind: "text", text: "" });
    }
    this.lines.push({ kind: "section", text: `## ${name}`, name });
  }

  render(): string {
    const text = renderPlaybook({ lines: this.lines });
    return this.trailingNewline ? `${text}\n` : text;
  }
}
