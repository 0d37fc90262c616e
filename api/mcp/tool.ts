import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { type Caller, requireScope, type Scope } from "../../core/auth/index.ts";
import type { Logger } from "../../core/logger.ts";
import { assertStorableText } from "../../core/storable-text.ts";
import { callerOf } from "./auth.ts";
import { toolError } from "./errors.ts";

/**
 * Wraps a tool body with what every tool does the same way: take the caller the route
 * resolved, check the tool's scope (a missing scope is a tool error naming it), and turn any
 * thrown error into an `isError` result through the one MCP error mapping.
 */
export function guarded<A>(
  logger: Logger,
  name: string,
  scope: Scope,
  run: (caller: Caller, args: A) => Promise<CallToolResult>,
) {
  return async (args: A, extra: { authInfo?: AuthInfo }): Promise<CallToolResult> => {
    try {
      const caller = callerOf(extra);
      requireScope(caller, scope);
      assertStorableText(args);
      return await run(caller, args);
    } catch (error) {
      return toolError(error, logger, name);
    }
  };
}

/** A successful result: `structuredContent` for programs, readable text for the model. */
export function ok(structured: Record<string, unknown>, text: string): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** Annotations of a tool that only reads. */
export const READ_ONLY = {
  readOnlyHint: true,
  idempotentHint: true,
  destructiveHint: false,
  openWorldHint: false,
} as const;
