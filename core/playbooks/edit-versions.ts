import type { DatabasePool, DatabaseTransactionConnection } from "slonik";
import { diffBullets, playbookStats } from "../ace/index.ts";
import { type Caller, requireScope } from "../auth/caller.ts";
import { lockOwnPlaybook } from "./access.ts";
import { validateContent } from "./content.ts";
import { versionNotFound } from "./errors.ts";
import { toVersionDetail } from "./mappers.ts";
import { appendVersion, findCurrentVersion, findVersion } from "./queries.ts";
import type { CreateVersion, VersionDetail } from "./schemas.ts";
import { parseVersionNumber } from "./versions.ts";

function bulletChangeLog(before: string, after: string) {
  const diff = diffBullets(before, after);
  const log = [
    ...diff.added.map((id) => ({ op: "added", bullet_id: id })),
    ...diff.changed.map((id) => ({ op: "changed", bullet_id: id })),
    ...diff.removed.map((id) => ({ op: "removed", bullet_id: id })),
  ];
  const parts = [
    `+${diff.added.length} added`,
    `${diff.changed.length} changed`,
    `${diff.removed.length} removed`,
  ];
  return { log, summary: parts.join(", ") };
}

/** Appends `content` as the caller's next version, with the bullet-level change log against the current one. */
async function appendUserVersion(
  tx: DatabaseTransactionConnection,
  caller: Caller,
  playbookId: string,
  edit: { content: string; bulletCount: number; tokenCount: number; origin: "manual" | "restore" },
  summarize: (changes: string) => string,
): Promise<VersionDetail> {
  const current = await findCurrentVersion(tx, playbookId);
  const changes = bulletChangeLog(current?.content ?? "", edit.content);
  const row = await appendVersion(tx, {
    playbookId,
    ...edit,
    diffSummary: summarize(changes.summary),
    changeLog: changes.log,
    userId: caller.userId,
  });
  return toVersionDetail(row);
}

/**
 * A manual edit: validated content becomes the next version. Throws `invalid_input`,
 * `payload_too_large`, `not_found`, `forbidden` (starter) or `conflict` (archived).
 */
export async function createVersion(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  input: CreateVersion,
  limits: { maxBytes: number },
): Promise<VersionDetail> {
  const stats = validateContent(input.content, limits.maxBytes);
  requireScope(caller, "write");
  return pool.transaction(async (tx) => {
    await lockOwnPlaybook(tx, caller, playbookId);
    const edit = {
      content: input.content,
      bulletCount: stats.bulletCount,
      tokenCount: stats.tokens,
      origin: "manual" as const,
    };
    return appendUserVersion(
      tx,
      caller,
      playbookId,
      edit,
      (changes) => input.summary?.trim() || `manual edit: ${changes}`,
    );
  });
}

/**
 * Rollback without losing history: a new version whose content is version `version`'s
 * (`created: true`). When the current version already has that content (restoring the current
 * version, or one it equals) nothing is written and the current version is returned
 * (`created: false`): restoring twice is harmless. Throws `not_found` (playbook or version),
 * `forbidden` (starter) or `conflict` (archived).
 */
export async function restoreVersion(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  version: string | number,
): Promise<VersionDetail & { created: boolean }> {
  const number = parseVersionNumber(version);
  requireScope(caller, "write");
  return pool.transaction(async (tx) => {
    await lockOwnPlaybook(tx, caller, playbookId);
    const target = await findVersion(tx, playbookId, number);
    if (!target) throw versionNotFound(number);
    const current = await findCurrentVersion(tx, playbookId);
    if (current && current.content === target.content) return { ...toVersionDetail(current), created: false };
    const edit = {
      content: target.content,
      bulletCount: target.bullet_count,
      tokenCount: playbookStats(target.content).tokens,
      origin: "restore" as const,
    };
    const restored = await appendUserVersion(
      tx,
      caller,
      playbookId,
      edit,
      (changes) => `restored version ${number}: ${changes}`,
    );
    return { ...restored, created: true };
  });
}
