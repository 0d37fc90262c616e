import type { DatabasePool } from "slonik";
import { diffBullets, playbookStats } from "../ace/index.ts";
import type { Caller } from "../auth/caller.ts";
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

/**
 * A manual edit: validated content becomes the next version. Throws `invalid_input`,
 * `payload_too_large`, `not_found` or `forbidden` (starter).
 */
export async function createVersion(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  input: CreateVersion,
  limits: { maxBytes: number },
): Promise<VersionDetail> {
  const stats = validateContent(input.content, limits.maxBytes);
  return pool.transaction(async (tx) => {
    await lockOwnPlaybook(tx, caller, playbookId);
    const current = await findCurrentVersion(tx, playbookId);
    const changes = bulletChangeLog(current?.content ?? "", input.content);
    const row = await appendVersion(tx, {
      playbookId,
      content: input.content,
      bulletCount: stats.bulletCount,
      tokenCount: stats.tokens,
      diffSummary: input.summary?.trim() || `manual edit: ${changes.summary}`,
      changeLog: changes.log,
      origin: "manual",
      userId: caller.userId,
    });
    return toVersionDetail(row);
  });
}

/**
 * Rollback without losing history: a new version whose content is version `version`'s.
 * Throws `not_found` (playbook or version) or `forbidden` (starter).
 */
export async function restoreVersion(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  version: string | number,
): Promise<VersionDetail> {
  const number = parseVersionNumber(version);
  return pool.transaction(async (tx) => {
    await lockOwnPlaybook(tx, caller, playbookId);
    const target = await findVersion(tx, playbookId, number);
    if (!target) throw versionNotFound(number);
    const current = await findCurrentVersion(tx, playbookId);
    const changes = bulletChangeLog(current?.content ?? "", target.content);
    const row = await appendVersion(tx, {
      playbookId,
      content: target.content,
      bulletCount: target.bullet_count,
      tokenCount: playbookStats(target.content).tokens,
      diffSummary: `restored version ${number}: ${changes.summary}`,
      changeLog: changes.log,
      origin: "restore",
      userId: caller.userId,
    });
    return toVersionDetail(row);
  });
}
