import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { requireScope } from "../../core/auth/index.ts";
import { getPlaybook, listPlaybooks } from "../../core/playbooks/index.ts";
import type { AppDeps } from "../app.ts";
import { callerOf } from "./auth.ts";
import { resourceError } from "./errors.ts";

const MIME = "text/markdown";

/**
 * Every playbook the caller can read (own + starters) as `playbook://{id}`: listed with
 * resources/list, read as the current version's text (scope read, like get_playbook).
 */
export function registerPlaybookResources(server: McpServer, deps: AppDeps): void {
  const { pool, logger } = deps;
  const template = new ResourceTemplate("playbook://{id}", {
    list: async (extra) => {
      try {
        const caller = callerOf(extra);
        requireScope(caller, "read");
        const page = await listPlaybooks(pool, caller, { include_starters: true, limit: 100 });
        const resources = page.items.map((p) => ({
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
        const playbook = await getPlaybook(pool, caller, String(variables.id));
        return { contents: [{ uri: uri.href, mimeType: MIME, text: playbook.content }] };
      } catch (error) {
        throw resourceError(error, logger);
      }
    },
  );
}
