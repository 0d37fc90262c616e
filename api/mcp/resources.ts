import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { requireScope } from "../../core/auth/index.ts";
import type { Deps } from "../../core/create-core.ts";
import { callerOf } from "./auth.ts";
import { resourceError } from "./errors.ts";

const MIME = "text/markdown";
/** resources/list shows at most this many playbooks; list_playbooks pages through any number. */
const MAX_LISTED = 1000;

/**
 * Every playbook the caller can read (own + starters) as `playbook://{id}`: listed with
 * resources/list (the first 1000), read as the current version's text (scope read, like get_playbook).
 */
export function registerPlaybookResources(server: McpServer, { core, logger }: Deps): void {
  const template = new ResourceTemplate("playbook://{id}", {
    list: async (extra) => {
      try {
        const caller = callerOf(extra);
        requireScope(caller, "read");
        // The SDK's template listing takes no cursor, so every page is gathered, up to a bound.
        const items = [];
        for (let offset: number | null = 0; offset !== null && offset < MAX_LISTED; ) {
          const page = await core.playbooks.list(caller, { include_starters: true, limit: 100, offset });
          items.push(...page.items);
          offset = page.next_offset;
        }
        const resources = items.map((p) => ({
          uri: `playbook://${p.id}`,
          name: p.name,
          description: p.description || undefined,
          mimeType: MIME,
        }));
        return { resources };
      } catch (error) {
        throw resourceError(error, logger);
      }
    },
  });
  server.registerResource(
    "playbook",
    template,
    { title: "Playbook", description: "A playbook's current version in the ACE text format", mimeType: MIME },
    async (uri, variables, extra) => {
      try {
        const caller = callerOf(extra);
        requireScope(caller, "read");
        const playbook = await core.playbooks.get(caller, String(variables.id));
        return { contents: [{ uri: uri.href, mimeType: MIME, text: playbook.content }] };
      } catch (error) {
        throw resourceError(error, logger);
      }
    },
  );
}
