import type { PlaybookRow, VersionRow } from "./queries.ts";
import type { PlaybookSummary, VersionDetail, VersionSummary } from "./schemas.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPlaybookSummary(row: PlaybookRow): PlaybookSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    source: row.source,
    is_starter: row.source === "starter",
    version_number: row.version_number,
    bullet_count: row.bullet_count ?? 0,
    outcome_count: row.outcome_count,
    pending_outcomes: row.pending_outcomes,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    last_evolved_at: iso(row.last_evolved_at),
  };
}

type VersionMeta = Omit<VersionRow, "content" | "change_log">;

export function toVersionSummary(row: VersionMeta): VersionSummary {
  return {
    version_number: row.version_number,
    bullet_count: row.bullet_count,
    diff_summary: row.diff_summary,
    origin: row.origin,
    created_by_job_id: row.created_by_job_id,
    author: row.author,
    created_at: row.created_at.toISOString(),
  };
}

export function toVersionDetail(row: VersionRow): VersionDetail {
  return {
    ...toVersionSummary(row),
    playbook_id: row.playbook_id,
    content: row.content,
    change_log: row.change_log,
  };
}

export const toEvolutionBrief = (job: {
  id: string;
  status: string;
  created_at: Date;
  completed_at: Date | null;
}) => ({
  job_id: job.id,
  status: job.status as "queued" | "running" | "completed" | "failed",
  created_at: job.created_at.toISOString(),
  completed_at: iso(job.completed_at),
});
