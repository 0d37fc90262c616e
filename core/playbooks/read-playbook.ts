import type { DatabasePool } from "slonik";
import { filterSection, sectionKey, sectionNames } from "../ace/index.ts";
import type { Caller } from "../auth/caller.ts";
import { AppError } from "../errors.ts";
import { getPlaybook } from "./get-playbook.ts";
import type { PlaybookDetail } from "./schemas.ts";
import { getVersion } from "./versions.ts";

/** One version of a playbook as read by an agent: its text, or only the sections asked for. */
export interface PlaybookReading {
  /** The playbook as it is now (its `content` is the current version's whole text). */
  playbook: PlaybookDetail;
  version_number: number | null;
  /** Bullets in the whole version read (not only the sections returned). */
  bullet_count: number;
  /** Every section of the version read, in order. */
  sections: string[];
  /** The version's text, or the sections asked for (in the playbook's order, a blank line apart). */
  content: string;
}

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");

/** The text of the sections named (case-insensitive); an unknown name lists the ones that exist. */
function pickSections(content: string, wanted: readonly string[]): string {
  const names = sectionNames(content);
  const present = new Set(names.map(sectionKey));
  const unknown = wanted.filter((name) => !present.has(sectionKey(name)));
  if (unknown.length > 0) {
    throw new AppError(
      "invalid_input",
      `This playbook has no section ${quoted(unknown)}. Its sections are: ${quoted(names) || "(none)"}.`,
      { details: { field: "sections", unknown_sections: unknown, sections: names } },
    );
  }
  const keys = new Set(wanted.map(sectionKey));
  // `delete` is true only for a key's first section: each section once, in the playbook's order.
  const picked = names.filter((name) => keys.delete(sectionKey(name)));
  return picked.map((name) => filterSection(content, name) ?? "").join("\n\n");
}

/**
 * Reads a version of a playbook the caller may read (the current one unless `version` is given),
 * whole or only the `sections` named. Serves MCP `get_playbook` and REST `GET /v1/playbooks/{id}`.
 * Throws `not_found` (playbook or version; another user's playbook too), `forbidden` without
 * `read`, `invalid_input` naming the sections that exist when one asked for does not.
 */
export async function readPlaybook(
  pool: DatabasePool,
  caller: Caller,
  id: string,
  options: { version?: number | string; sections?: readonly string[] } = {},
): Promise<PlaybookReading> {
  const [playbook, old] = await Promise.all([
    getPlaybook(pool, caller, id),
    options.version === undefined ? null : getVersion(pool, caller, id, options.version),
  ]);
  const version = old ?? playbook;
  return {
    playbook,
    version_number: version.version_number,
    bullet_count: version.bullet_count,
    sections: sectionNames(version.content),
    content:
      options.sections === undefined ? version.content : pickSections(version.content, options.sections),
  };
}
