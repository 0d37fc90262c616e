import { readFileSync } from "node:fs";
import path from "node:path";
import type { DatabasePool } from "slonik";
import { z } from "zod";
import { playbookStats } from "../ace/index.ts";
import type { Logger } from "../logger.ts";
import { appendVersion, findCurrentVersion, lockPlaybook, upsertStarter } from "./queries.ts";

export const STARTERS_DIR = path.resolve(import.meta.dir, "../../playbooks");

const Manifest = z.array(z.object({ file: z.string(), name: z.string(), description: z.string() }));

/**
 * Makes the starter playbooks in `playbooks/` exist in the database, system-owned and readable by
 * all. Idempotent and safe to run from several processes at once: a changed file becomes a new
 * version of its starter; an unchanged one writes nothing.
 */
export async function seedStarters(pool: DatabasePool, logger?: Logger, dir = STARTERS_DIR): Promise<void> {
  const manifest = Manifest.parse(JSON.parse(readFileSync(path.join(dir, "starters.json"), "utf8")));
  for (const starter of manifest) {
    const content = readFileSync(path.join(dir, starter.file), "utf8");
    const slug = starter.file.replace(/\.md$/, "");
    const created = await pool.transaction(async (tx) => {
      const id = await upsertStarter(tx, { slug, name: starter.name, description: starter.description });
      await lockPlaybook(tx, id);
      const current = await findCurrentVersion(tx, id);
      if (current?.content === content) return false;
      const stats = playbookStats(content);
      await appendVersion(tx, {
        playbookId: id,
        content,
        bulletCount: stats.bulletCount,
        tokenCount: stats.tokens,
        diffSummary: current ? "starter updated" : `initial version: ${stats.bulletCount} bullets`,
        changeLog: [],
        origin: current ? "starter_sync" : "initial",
      });
      return true;
    });
    if (created) logger?.info("starter playbook seeded", { slug });
  }
}
