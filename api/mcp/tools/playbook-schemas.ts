import { z } from "zod";

/** Input and output shapes of the playbook tools (the MCP contracts of issue 7). */

export const PlaybookId = z.string().describe("The playbook's id (a UUID, from list_playbooks)");

export const ListPlaybooksInput = z.object({
  include_starters: z
    .boolean()
    .default(true)
    .describe("Also list the platform's starter playbooks (read-only templates). Default true."),
  offset: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe("Skip this many playbooks (from next_offset of the previous call). Default 0."),
});

export const PlaybookListing = z.object({
  playbooks: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string(),
      last_updated: z.string().describe("ISO 8601 time of the last change"),
      bullet_count: z.number().int(),
      outcome_count: z.number().int(),
    }),
  ),
  total: z.number().int().describe("How many playbooks there are in all"),
  next_offset: z.number().int().nullable().describe("Pass as offset for the next page; null on the last"),
});

export const GetPlaybookInput = z.object({
  playbook_id: PlaybookId,
  section: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only this section, by its header name (case-insensitive), e.g. "STRATEGIES & INSIGHTS"'),
  version: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("An older version number to read instead of the current one"),
  if_version: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      "The version_number of the copy you already have: if it is still the current version, the answer is a one-line 'unchanged' instead of the text",
    ),
});

export const PlaybookText = z.object({
  id: z.string(),
  name: z.string(),
  version_number: z.number().int().nullable(),
  bullet_count: z.number().int().describe("Bullets in the whole version (not only the section)"),
  section: z.string().nullable().describe("The section returned, or null for the whole playbook"),
  sections: z.array(z.string()).describe("Every section of this version, in order (empty when unchanged)"),
  unchanged: z
    .boolean()
    .optional()
    .describe("True when if_version is still current: no text was sent, keep using your copy"),
});

export const CreatePlaybookInput = z.object({
  name: z.string().trim().min(1).max(200).describe("A name for the new playbook"),
  starter_id: z
    .string()
    .optional()
    .describe("Copy this starter playbook (its id from list_playbooks); omit for an empty playbook"),
  description: z.string().max(2000).optional().describe("What the playbook is for"),
});

export const CreatedPlaybook = z.object({
  id: z.string(),
  name: z.string(),
  version_number: z.number().int().nullable(),
  bullet_count: z.number().int(),
  cloned_from_id: z.string().nullable(),
});
