import { z } from "zod";
import { Pagination } from "../pagination.ts";

/**
 * The shapes of the playbooks feature, shared by REST (request/response schemas and OpenAPI),
 * MCP tools and the dashboard. snake_case, timestamps as ISO strings.
 */

export const Uuid = z.string().describe("UUID");
const Timestamp = z.string().describe("ISO 8601 timestamp");
const Id = z.string().uuid();

export const PlaybookSummary = z.object({
  id: Uuid,
  name: z.string(),
  description: z.string(),
  status: z.enum(["active", "archived"]),
  source: z.enum(["starter", "user_created", "imported"]),
  is_starter: z.boolean(),
  version_number: z.number().int().nullable(),
  bullet_count: z.number().int(),
  outcome_count: z.number().int(),
  pending_outcomes: z.number().int(),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_evolved_at: Timestamp.nullable(),
});
export type PlaybookSummary = z.infer<typeof PlaybookSummary>;

export const EvolutionBrief = z.object({
  job_id: Uuid,
  status: z.enum(["queued", "running", "completed", "failed"]),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
});

export const PlaybookDetail = PlaybookSummary.extend({
  content: z.string().describe("The current version's text in the ACE playbook format"),
  cloned_from_id: Uuid.nullable(),
  active_evolution: EvolutionBrief.nullable().describe("The queued or running evolution, if any"),
  last_evolution: EvolutionBrief.nullable().describe("The most recent evolution job, if any"),
});
export type PlaybookDetail = z.infer<typeof PlaybookDetail>;

export const CreatePlaybook = z
  .object({
    name: z.string().trim().min(1, "name must not be empty").max(200, "name must be at most 200 characters"),
    description: z.string().max(2000, "description must be at most 2000 characters").optional(),
    content: z
      .string()
      .optional()
      .describe("Initial playbook text (ACE format); the playbook's source is then `imported`"),
    starter_id: Id.optional().describe("Copy this starter playbook's current content"),
  })
  .refine((v) => !(v.content !== undefined && v.starter_id !== undefined), {
    message: "give either content or starter_id, not both",
    path: ["starter_id"],
  });
export type CreatePlaybook = z.infer<typeof CreatePlaybook>;

export const UpdatePlaybook = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "name must not be empty")
      .max(200, "name must be at most 200 characters")
      .optional(),
    description: z.string().max(2000, "description must be at most 2000 characters").optional(),
    status: z
      .enum(["active", "archived"])
      .optional()
      .describe("Set to `active` to bring back an archived playbook"),
  })
  .refine((v) => v.name !== undefined || v.description !== undefined || v.status !== undefined, {
    message: "nothing to update: give name, description or status",
  });
export type UpdatePlaybook = z.infer<typeof UpdatePlaybook>;

export const ListPlaybooksQuery = Pagination.extend({
  include_starters: z.stringbool().optional().describe("Also list the starter playbooks (default false)"),
  include_archived: z.stringbool().optional().describe("Also list your archived playbooks (default false)"),
});
export type ListPlaybooksQuery = z.infer<typeof ListPlaybooksQuery>;

export const VersionSummary = z.object({
  version_number: z.number().int(),
  bullet_count: z.number().int(),
  diff_summary: z.string().nullable(),
  origin: z.enum(["initial", "evolution", "manual", "restore", "starter_sync"]),
  created_by_job_id: Uuid.nullable(),
  author: z
    .string()
    .nullable()
    .describe(
      "Email of the user who wrote it (initial, manual edit, restore); null for evolutions and starter syncs",
    ),
  created_at: Timestamp,
});
export type VersionSummary = z.infer<typeof VersionSummary>;

export const VersionDetail = VersionSummary.extend({
  playbook_id: Uuid,
  content: z.string(),
  change_log: z.array(z.record(z.string(), z.unknown())).describe("Per-bullet changes of this version"),
});
export type VersionDetail = z.infer<typeof VersionDetail>;

export const CreateVersion = z.object({
  content: z.string().describe("The full new playbook text (ACE format)"),
  summary: z.string().max(500).optional().describe("What you changed, kept as the version's diff summary"),
});
export type CreateVersion = z.infer<typeof CreateVersion>;

export const VersionDiff = z.object({
  from_version: z.number().int(),
  to_version: z.number().int(),
  unified_diff: z.string().describe("Unified text diff from `from_version` to `to_version`"),
  bullets: z.object({
    added: z.array(z.string()),
    changed: z.array(z.string()),
    removed: z.array(z.string()),
  }),
});
export type VersionDiff = z.infer<typeof VersionDiff>;
