import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Deps } from "../../../core/create-core.ts";
import { guarded, ok, READ_ONLY } from "../tool.ts";
import {
  CreatedPlaybook,
  CreatePlaybookInput,
  GetPlaybookInput,
  ListPlaybooksInput,
  PlaybookListing,
  PlaybookText,
} from "./playbook-schemas.ts";
import { listingText } from "./text.ts";

/** Registers list_playbooks and get_playbook (scope read) and create_playbook (scope write). */
export function registerPlaybookTools(server: McpServer, { core, logger }: Deps): void {
  server.registerTool(
    "list_playbooks",
    {
      title: "List playbooks",
      description:
        "Lists the playbooks you can use: your own and (unless include_starters is false) the read-only starter playbooks, 100 per call, newest first (next_offset pages on). Call it to find the playbook_id for a task before calling get_playbook.",
      inputSchema: ListPlaybooksInput,
      outputSchema: PlaybookListing,
      annotations: READ_ONLY,
    },
    guarded(logger, "list_playbooks", "read", async (caller, args) => {
      const page = await core.playbooks.list(caller, {
        include_starters: args.include_starters,
        limit: 100,
        offset: args.offset,
      });
      const playbooks = page.items.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        last_updated: p.updated_at,
        bullet_count: p.bullet_count,
        outcome_count: p.outcome_count,
      }));
      return ok(
        { playbooks, total: page.total, next_offset: page.next_offset },
        listingText(page.items, page.total, page.offset, page.next_offset),
      );
    }),
  );
  server.registerTool(
    "get_playbook",
    {
      title: "Get a playbook",
      description:
        "Returns a playbook's text: sections of bullets like `[str-00001] helpful=3 harmful=0 :: advice`. Call it before starting a task and put the text in your context; apply the bullets that fit, and remember their ids for report_outcome. `section` returns one section only; `version` reads an older version; `if_version` (the version_number you already have) answers 'unchanged' in one line while it is current.",
      inputSchema: GetPlaybookInput,
      outputSchema: PlaybookText,
      annotations: READ_ONLY,
    },
    guarded(logger, "get_playbook", "read", async (caller, args) => {
      if (args.if_version !== undefined && args.version === undefined) {
        // Agents re-read before every task: a few tokens instead of the whole text when nothing changed.
        const current = await core.playbooks.get(caller, args.playbook_id);
        if (current.version_number === args.if_version) {
          const { id, name, version_number, bullet_count } = current;
          return ok(
            {
              id,
              name,
              version_number,
              bullet_count,
              section: args.section ?? null,
              sections: [],
              unchanged: true,
            },
            `Unchanged: version ${version_number} of "${name}" is still current; keep using your copy.`,
          );
        }
      }
      const reading = await core.playbooks.read(caller, args.playbook_id, {
        version: args.version,
        sections: args.section === undefined ? undefined : [args.section],
      });
      const { playbook, version_number, bullet_count, sections } = reading;
      return ok(
        {
          id: playbook.id,
          name: playbook.name,
          version_number,
          bullet_count,
          section: args.section ?? null,
          sections,
        },
        reading.content,
      );
    }),
  );
  server.registerTool(
    "create_playbook",
    {
      title: "Create a playbook",
      description:
        "Creates a playbook of your own: a copy of a starter playbook (starter_id from list_playbooks) or an empty one. Starters are read-only, so copy one before reporting outcomes; then use the new id.",
      inputSchema: CreatePlaybookInput,
      outputSchema: CreatedPlaybook,
      annotations: {
        readOnlyHint: false,
        idempotentHint: false,
        destructiveHint: false,
        openWorldHint: false,
      },
    },
    guarded(logger, "create_playbook", "write", async (caller, args) => {
      const created = await core.playbooks.create(caller, args);
      const { id, name, version_number, bullet_count, cloned_from_id } = created;
      return ok(
        { id, name, version_number, bullet_count, cloned_from_id },
        `Created playbook "${name}" (id ${id}) with ${bullet_count} bullets. Use this id with get_playbook and report_outcome.`,
      );
    }),
  );
}
