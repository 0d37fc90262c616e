import { Elysia } from "elysia";
import { z } from "zod";
import { ApiKey, CreateApiKeyInput, CreatedApiKey, RenameApiKeyInput } from "../../core/auth/index.ts";
import type { Deps } from "../../core/create-core.ts";
import { authPlugin } from "../auth-plugin.ts";
import { ROUTE_DOC } from "../openapi-refine.ts";
import { clientInfo } from "../rate-limit-headers.ts";
import { errors } from "../schemas.ts";
import { SECRET_RESPONSE_HEADERS } from "../security-headers.ts";

const tags = ["auth"];
const KeyParams = z.object({ id: z.uuid({ error: "must be an API key id (a UUID)" }) });
const sessionOnly = "Requires a signed-in session (JWT); API keys cannot manage keys (403).";

/** API keys for agents: create (the full key is shown once), list, rename, revoke. */
export const apiKeyRoutes = (deps: Deps) => {
  const client = (request: Request) => ({ client: clientInfo(request, deps.config) });
  return new Elysia({ name: "api-key-routes" })
    .use(authPlugin(deps))
    .get("/v1/auth/api-keys", ({ caller }) => deps.core.apiKeys.list(caller), {
      auth: true,
      response: { 200: z.array(ApiKey), ...errors(401, 403) },
      detail: {
        tags,
        operationId: "listApiKeys",
        summary: "Your working API keys (prefix only)",
        description: sessionOnly,
      },
    })
    .post(
      "/v1/auth/api-keys",
      async ({ caller, body, request, set }) => {
        set.status = 201;
        Object.assign(set.headers, SECRET_RESPONSE_HEADERS); // the key is shown once: never cached
        return deps.core.apiKeys.create(caller, body, client(request));
      },
      {
        auth: true,
        body: CreateApiKeyInput.meta({ examples: [{ name: "ci agent", scopes: ["read", "write"] }] }),
        response: { 201: CreatedApiKey, ...errors(400, 401, 403, 413, 422) },
        detail: {
          tags,
          operationId: "createApiKey",
          summary: "Create an API key; the full key is in this response only",
          description: `Scopes default to read and write. ${sessionOnly}`,
        },
      },
    )
    .patch(
      "/v1/auth/api-keys/:id",
      ({ caller, params, body, request }) =>
        deps.core.apiKeys.rename(caller, params.id, body.name, client(request)),
      {
        auth: true,
        params: KeyParams,
        body: RenameApiKeyInput,
        response: { 200: ApiKey, ...errors(400, 401, 403, 404, 422) },
        detail: { tags, operationId: "renameApiKey", summary: "Rename an API key", description: sessionOnly },
      },
    )
    .delete(
      "/v1/auth/api-keys/:id",
      async ({ caller, params, request, set }) => {
        await deps.core.apiKeys.revoke(caller, params.id, client(request));
        set.status = 204;
      },
      {
        auth: true,
        params: KeyParams,
        response: errors(401, 403, 404, 422),
        detail: {
          tags,
          operationId: "revokeApiKey",
          summary: "Revoke an API key (it stops working at once)",
          description: sessionOnly,
          ...ROUTE_DOC.noContent("Revoked; the key no longer authenticates"),
        },
      },
    );
};
