import type { DatabasePool } from "slonik";
import { diffBullets } from "../ace/index.ts";
import type { Caller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { type Page, type Pagination, paginate } from "../pagination.ts";
import { readablePlaybook } from "./access.ts";
import { versionNotFound } from "./errors.ts";
import { toVersionDetail, toVersionSummary } from "./mappers.ts";
import { countVersions, findVersion, listVersions as selectVersions } from "./queries.ts";
import type { VersionDetail, VersionDiff, VersionSummary } from "./schemas.ts";
import { unifiedDiff } from "./unified-diff.ts";

/** Versions of a readable playbook, newest first. Throws `not_found` for the playbook. */
export async function listVersions(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  query: Pagination = {},
): Promise<Page<VersionSummary>> {
  const playbook = await readablePlaybook(pool, caller, playbookId);
  return paginate(
    query,
    {
      rows: (limit, offset) => selectVersions(pool, playbook.id, limit, offset),
      total: () => countVersions(pool, playbook.id),
    },
    toVersionSummary,
  );
}

/** version_number is a Postgres integer: anything larger cannot exist. */
const MAX_VERSION = 2_147_483_647;

/** Parses a version number from a path or tool argument; anything else is not found. */
export function parseVersionNumber(value: string | number): number {
  const n = typeof value === "number" ? value : /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_VERSION) throw versionNotFound(value);
  return n;
}

/** One version of a readable playbook with its content. Throws `not_found`. */
export async function getVersion(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  version: string | number,
): Promise<VersionDetail> {
  const playbook = await readablePlaybook(pool, caller, playbookId);
  const number = parseVersionNumber(version);
  const row = await findVersion(pool, playbook.id, number);
  if (!row) throw versionNotFound(number);
  return toVersionDetail(row);
}

/**
 * Unified text diff and bullet-level change list from version `against` (default: the previous
 * one) to version `version`. Throws `not_found` for the playbook or either version, and
 * `invalid_input` when asked to diff version 1 against nothing.
 */
export async function diffVersions(
  pool: DatabasePool,
  caller: Caller,
  playbookId: string,
  version: string | number,
  against?: string | number,
): Promise<VersionDiff> {
  const to = await getVersion(pool, caller, playbookId, version);
  const fromNumber = against === undefined ? to.version_number - 1 : parseVersionNumber(against);
  if (fromNumber < 1) {
    throw new AppError(
      "invalid_input",
      "Version 1 has no previous version; pass ?against= to compare with another one.",
    );
  }
  const from = await getVersion(pool, caller, playbookId, fromNumber);
  return {
    from_version: from.version_number,
    to_version: to.version_number,
    unified_diff: unifiedDiff(
      `playbook@v${from.version_number}`,
      `playbook@v${to.version_number}`,
      from.content,
      to.content,
    ),
    bullets: diffBullets(from.content, to.content),
  };
}
