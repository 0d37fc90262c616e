import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Caller } from "../../core/auth/index.ts";
import type { Core } from "../../core/create-core.ts";
import { AppError, isAppError } from "../../core/errors.ts";
import { errorResponse } from "../errors.ts";
import { currentRequestContext } from "../request-context.ts";

/**
 * The caller behind an MCP request, resolved exactly as REST does (`Authorization: Bearer ace_…`,
 * `X-API-Key: ace_…`, or a dashboard JWT), so `last_used_at` and revocation behave the same.
 * Returns the 401 response (JSON envelope + WWW-Authenticate) when credentials are missing or bad.
 */
export async function authenticate(core: Core, request: Request): Promise<Caller | Response> {
  try {
    return await core.auth.resolveCaller({
      authorization: request.headers.get("authorization"),
      apiKey: request.headers.get("x-api-key"),
    });
  } catch (error) {
    if (!isAppError(error) || error.code !== "unauthenticated") throw error;
    const requestId = currentRequestContext()?.requestId ?? "unknown";
    return errorResponse(error, requestId);
  }
}

/** The caller as the SDK's AuthInfo; tools read it back with `callerOf(extra)`. */
export function authInfoFor(caller: Caller): AuthInfo {
  // The raw key is deliberately not kept: tools need the caller, never the secret.
  return {
    token: "",
    clientId: caller.apiKeyId ?? caller.userId,
    scopes: [...caller.scopes],
    extra: { caller },
  };
}

/** The caller the route resolved. Always present behind `/mcp`; its absence is a wiring bug. */
export function callerOf(extra: { authInfo?: AuthInfo }): Caller {
  const caller = extra.authInfo?.extra?.caller as Caller | undefined;
  if (!caller) throw new AppError("internal", "MCP request reached a tool without a caller");
  return caller;
}
