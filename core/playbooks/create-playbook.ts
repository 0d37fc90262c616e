import type { DatabasePool } from "slonik";
import { type Caller, requireScope } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { EMPTY_PLAYBOOK, validateContent } from "./content.ts";
import { isUuid } from "./errors.ts";
import { getPlaybook } from "./get-playbook.ts";
import { appendVersion, findCurrentVersion, findReadablePlaybook, insertPlaybook } from "./queries.ts";
import type { CreatePlaybook, PlaybookDetail } from "./schemas.ts";

interface Source {
  content: string;
  source: "user_created" | "imported";
  clonedFromId: string | null;
}

async function resolveSource(pool: DatabasePool, caller: Caller, input: CreatePlaybook): Promise<Source> {
  if (input.starter_id !== undefined) {
    const starter = isUuid(input.starter_id)
      ? await findReadablePlaybook(pool, caller.userId, input.starter_id)
      : null;
    if (starter?.source !== "starter") {
      throw new AppError(
        "not_found",
        "No starter playbook has that starter_id. List them with include_starters=true.",
      );
    }
    const version = await findCurrentVersion(pool, starter.id);
    return { content: version?.content ?? EMPTY_PLAYBOOK, source: "user_created", clonedFromId: starter.id };
  }
  if (input.content !== undefined) return { content: input.content, source: "imported", clonedFromId: null };
  return { content: EMPTY_PLAYBOOK, source: "user_created", clonedFromId: null };
}

/**
 * Creates a playbook owned by the caller with version 1: empty sections, pasted ACE text
 * (`imported`, validated) or a copy of a starter (`user_created`, remembers the starter).
 * Throws `invalid_input` (bad format), `payload_too_large` (over maxBytes), `not_found` (starter),
 * `forbidden` (a key without `write`).
 */
export async function createPlaybook(
  pool: DatabasePool,
  caller: Caller,
  input: CreatePlaybook,
  limits: { maxBytes: number },
): Promise<PlaybookDetail> {
  requireScope(caller, "write");
  const source = await resolveSource(pool, caller, input);
  const stats = validateContent(source.content, limits.maxBytes);
  const id = await pool.transaction(async (tx) => {
    const playbookId = await insertPlaybook(tx, {
      userId: caller.userId,
      name: input.name,
      description: input.description ?? "",
      source: source.source,
      clonedFromId: source.clonedFromId,
    });
    await appendVersion(tx, {
      playbookId,
      content: source.content,
      bulletCount: stats.bulletCount,
      tokenCount: stats.tokens,
      diffSummary: `initial version: ${stats.bulletCount} bullets`,
      changeLog: [],
      origin: "initial",
      userId: caller.userId,
    });
    return playbookId;
  });
  return getPlaybook(pool, caller, id, { scope: null });
}
