import type { PlaybookSummary } from "../../../core/playbooks/index.ts";

/** The model-facing text of list_playbooks: one line per playbook, starters marked read-only. */
export function listingText(items: PlaybookSummary[], total: number): string {
  if (items.length === 0) {
    return "You have no playbooks yet. Create one with create_playbook (optionally from a starter).";
  }
  const lines = items.map((p) => {
    const starter = p.is_starter
      ? " [starter: read-only; copy it with create_playbook to report outcomes]"
      : "";
    const about = p.description ? ` — ${p.description.replace(/\.+$/, "")}` : "";
    return `- ${p.name} (id ${p.id})${about}. ${p.bullet_count} bullets, ${p.outcome_count} outcomes, updated ${p.updated_at}.${starter}`;
  });
  const more = total > items.length ? `\n(${total - items.length} more not shown.)` : "";
  return `${lines.join("\n")}${more}`;
}
