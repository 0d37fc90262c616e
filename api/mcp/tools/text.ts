import type { PlaybookSummary } from "../../../core/playbooks/index.ts";

/** The model-facing text of list_playbooks: one line per playbook, starters marked read-only. */
export function listingText(
  items: PlaybookSummary[],
  total: number,
  offset = 0,
  nextOffset: number | null = null,
): string {
  if (items.length === 0) {
    return offset > 0
      ? `No playbooks at offset ${offset}; there are ${total} in all.`
      : "You have no playbooks yet. Create one with create_playbook (optionally from a starter).";
  }
  const lines = items.map((p) => {
    const starter = p.is_starter
      ? " [starter: read-only; copy it with create_playbook to report outcomes]"
      : "";
    const about = p.description ? ` — ${p.description.replace(/\.+$/, "")}` : "";
    return `- ${p.name} (id ${p.id})${about}. ${p.bullet_count} bullets, ${p.outcome_count} outcomes, updated ${p.updated_at}.${starter}`;
  });
  const more =
    nextOffset === null
      ? ""
      : `\n(${total - nextOffset} more: call list_playbooks with offset ${nextOffset}.)`;
  return `${lines.join("\n")}${more}`;
}
