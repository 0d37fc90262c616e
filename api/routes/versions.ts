import { Elysia } from "elysia";
import { z } from "zod";
import type { Deps } from "../../core/create-core.ts";
import { Pagination, page } from "../../core/pagination.ts";
import { CreateVersion, VersionDetail, VersionDiff, VersionSummary } from "../../core/playbooks/index.ts";
import { authPlugin } from "../auth-plugin.ts";
import { examples } from "../examples.ts";
import { ROUTE_DOC } from "../openapi-refine.ts";
import { errors, FormatQuery, PlaybookParams, VersionParams } from "../schemas.ts";
import { textDownload, wantsText } from "./text.ts";

const tags = ["playbooks"];

/** Version history: list, read (JSON or text), diff, manual edit, restore. */
export const versionRoutes = (deps: Deps) => {
  const { versions, playbooks } = deps.core;
  return new Elysia({ name: "version-routes" })
    .use(authPlugin(deps))
    .get(
      "/v1/playbooks/:id/versions",
      ({ caller, params, query }) => versions.list(caller, params.id, query),
      {
        auth: "read",
        params: PlaybookParams,
        query: Pagination,
        response: { 200: page(VersionSummary), ...errors(401, 403, 404, 422) },
        detail: { tags, operationId: "listVersions", summary: "Versions of a playbook, newest first" },
      },
    )
    .get(
      "/v1/playbooks/:id/versions/:v",
      async ({ caller, params, query, request }) => {
        const version = await versions.get(caller, params.id, params.v);
        if (!wantsText(request, query)) return version;
        const playbook = await playbooks.get(caller, params.id);
        return textDownload<typeof version>(version.content, playbook.name, version.version_number);
      },
      {
        auth: "read",
        params: VersionParams,
        query: FormatQuery,
        response: { 200: VersionDetail, ...errors(401, 403, 404) },
        detail: {
          tags,
          operationId: "getVersion",
          ...ROUTE_DOC.textDownload,
          summary: "One version's content (as a text download with ?format=text or Accept: text/markdown)",
        },
      },
    )
    .get(
      "/v1/playbooks/:id/versions/:v/diff",
      ({ caller, params, query }) => versions.diff(caller, params.id, params.v, query.against),
      {
        auth: "read",
        params: VersionParams,
        query: z.object({
          against: z.string().optional().describe("Version to compare with (default: the previous one)"),
        }),
        response: {
          200: VersionDiff.meta({ examples: [examples.versionDiff] }),
          ...errors(401, 403, 404, 422),
        },
        detail: {
          tags,
          operationId: "diffVersions",
          summary: "Unified diff and bullet-level changes between two versions",
        },
      },
    )
    .post(
      "/v1/playbooks/:id/versions",
      async ({ caller, params, body, set }) => {
        set.status = 201;
        return versions.create(caller, params.id, body);
      },
      {
        auth: "write",
        params: PlaybookParams,
        body: CreateVersion.meta({ examples: [examples.createVersion] }),
        response: { 201: VersionDetail, ...errors(401, 403, 404, 413, 422) },
        detail: { tags, operationId: "createVersion", summary: "Save a manual edit as the next version" },
      },
    )
    .post(
      "/v1/playbooks/:id/versions/:v/restore",
      async ({ caller, params, set }) => {
        const { created, ...version } = await versions.restore(caller, params.id, params.v);
        set.status = created ? 201 : 200;
        return version;
      },
      {
        auth: "write",
        params: VersionParams,
        response: {
          201: VersionDetail.meta({ description: "The new version, with the restored content" }),
          200: VersionDetail.meta({
            description: "The current version already has that content: it is returned, nothing is created",
          }),
          ...errors(401, 403, 404),
        },
        detail: {
          tags,
          operationId: "restoreVersion",
          summary: "Roll back: a new version with an old version's content (none if it is already current)",
        },
      },
    );
};
