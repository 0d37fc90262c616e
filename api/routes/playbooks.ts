import { Elysia } from "elysia";
import type { Caller } from "../../core/auth/index.ts";
import type { Deps } from "../../core/create-core.ts";
import { page } from "../../core/pagination.ts";
import {
  CreatePlaybook,
  ListPlaybooksQuery,
  PlaybookDetail,
  PlaybookSummary,
  UpdatePlaybook,
} from "../../core/playbooks/index.ts";
import { authPlugin } from "../auth-plugin.ts";
import { examples } from "../examples.ts";
import { ROUTE_DOC } from "../openapi-refine.ts";
import { errors, FormatQuery, PlaybookParams, SectionsQuery } from "../schemas.ts";
import { entityTag, notModified, notModifiedResponse, textDownload, wantsText } from "./text.ts";

const tags = ["playbooks"];

/** Playbook CRUD. Every handler: validated input → one core call (ownership is enforced there). */
export const playbookRoutes = (deps: Deps) => {
  const { playbooks } = deps.core;
  /** The playbook; with `sections`, its content is only those (the reading MCP get_playbook does). */
  const detail = async (caller: Caller, id: string, sections?: string[]): Promise<PlaybookDetail> => {
    if (sections === undefined) return playbooks.get(caller, id);
    const reading = await playbooks.read(caller, id, { sections });
    return { ...reading.playbook, content: reading.content };
  };
  return new Elysia({ name: "playbook-routes" })
    .use(authPlugin(deps))
    .get("/v1/playbooks", ({ caller, query }) => playbooks.list(caller, query), {
      auth: "read",
      query: ListPlaybooksQuery,
      response: { 200: page(PlaybookSummary), ...errors(401, 403, 422) },
      detail: { tags, operationId: "listPlaybooks", summary: "List your playbooks (and the starters)" },
    })
    .post(
      "/v1/playbooks",
      async ({ caller, body, set }) => {
        set.status = 201;
        return playbooks.create(caller, body);
      },
      {
        auth: "write",
        body: CreatePlaybook.meta({ examples: [examples.createFromStarter, examples.createPlaybook] }),
        response: {
          201: PlaybookDetail.meta({ examples: [examples.playbookDetail] }),
          ...errors(401, 403, 404, 413, 422),
        },
        detail: {
          tags,
          operationId: "createPlaybook",
          summary: "Create a playbook: empty, from pasted ACE text (import), or as a copy of a starter",
        },
      },
    )
    .get(
      "/v1/playbooks/:id",
      async ({ caller, params, query, request, set }) => {
        const playbook = await detail(caller, params.id, query.sections);
        const text = wantsText(request, query);
        const { id, name, version_number } = playbook;
        const tag = entityTag(
          text
            ? ["text", id, version_number, name, query.sections ?? null]
            : ["json", query.sections ?? null, { ...playbook, content: undefined }],
        );
        if (notModified(request, tag)) return notModifiedResponse<typeof playbook>(tag);
        if (text) return textDownload<typeof playbook>(playbook.content, name, version_number, { etag: tag });
        set.headers.etag = tag;
        return playbook;
      },
      {
        auth: "read",
        params: PlaybookParams,
        query: FormatQuery.extend({ sections: SectionsQuery }),
        response: {
          200: PlaybookDetail.meta({ examples: [examples.playbookDetail] }),
          ...errors(401, 403, 404, 422),
        },
        detail: {
          tags,
          operationId: "getPlaybook",
          ...ROUTE_DOC.textDownload,
          ...ROUTE_DOC.notModified(
            "Not modified: the answer is the one the ETag in If-None-Match names (same version, and for JSON the same counters and evolutions)",
          ),
          summary: "A playbook with its current content (as text with ?format=text or Accept: text/markdown)",
        },
      },
    )
    .put("/v1/playbooks/:id", ({ caller, params, body }) => playbooks.update(caller, params.id, body), {
      auth: "write",
      params: PlaybookParams,
      body: UpdatePlaybook.meta({ examples: [examples.updatePlaybook] }),
      response: { 200: PlaybookDetail, ...errors(401, 403, 404, 422) },
      detail: {
        tags,
        operationId: "updatePlaybook",
        summary: "Rename, re-describe or un-archive a playbook",
      },
    })
    .delete("/v1/playbooks/:id", ({ caller, params }) => playbooks.archive(caller, params.id), {
      auth: "write",
      params: PlaybookParams,
      response: { 200: PlaybookDetail, ...errors(401, 403, 404) },
      detail: {
        tags,
        operationId: "archivePlaybook",
        summary: "Archive a playbook (soft delete; history is kept)",
      },
    });
};
