import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { reportError } from "../../core/error-tracking.ts";
import { type AppError, type ErrorCode as AppErrorCode, asAppError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { currentRequestContext } from "../request-context.ts";

/**
 * MCP's one mapping table: what an agent should do next for each domain error code. The core's
 * message says what went wrong; the hint says how to recover, in terms of our tools.
 */
const HINTS: Record<AppErrorCode, (error: AppError) => string> = {
  invalid_input: () => "Fix the arguments and call the tool again.",
  unauthenticated: () => "The API key configured for this MCP server is not valid; ask the user to fix it.",
  forbidden: (e) =>
    e.details?.required_scope
      ? `Retrying will not help: ask the user for an API key with the "${e.details.required_scope}" scope.`
      : "Retrying will not help.",
  not_found: () =>
    "Check what you passed: list_playbooks shows your playbooks, get_playbook their current version, trigger_evolution returns job ids.",
  method_not_allowed: () => "Retrying will not help.",
  conflict: () => "Do not retry this call unchanged.",
  rate_limited: (e) =>
    `Wait ${Math.ceil(e.retryAfterSeconds ?? 60)} seconds before calling again; continue your task meanwhile.`,
  payload_too_large: () => "Call the tool again with less.",
  unavailable: () => "The service is temporarily unavailable; try again in a minute.",
  internal: () => "Try again later.",
};

/**
 * Recovery for the domain errors whose message stays neutral to the transport, by
 * `details.reason`: these name the tool to use instead of the per-code hint.
 */
const REASON_HINTS: Record<string, string> = {
  starter_read_only: "Copy it with create_playbook (starter_id), then use the copy's id.",
  playbook_archived: "Retrying will not help: ask the user to restore the playbook.",
  no_pending_outcomes: "Report outcomes with report_outcome first.",
  llm_not_configured:
    "Retrying will not help until the operator configures an LLM provider; keep reporting outcomes, they are kept.",
};

const hintFor = (error: AppError): string => {
  const reason = error.details?.reason;
  return (typeof reason === "string" ? REASON_HINTS[reason] : undefined) ?? HINTS[error.code](error);
};

const requestId = () => currentRequestContext()?.requestId ?? "unknown";

const genericMessage = () =>
  `Something went wrong on our side. Quote request id ${requestId()} if it persists.`;

/** The agent-facing text of a domain error: code, the core's user-safe message, and what to do. */
export function describeAppError(error: AppError): string {
  return `Error (${error.code}): ${error.message} ${hintFor(error)}`;
}

/**
 * Any error a tool raised, as a tool result with `isError: true`. Domain errors keep their
 * user-safe message; anything else is logged with its stack and reaches the model only as a
 * generic message with the request id, so nothing internal leaks.
 */
export function toolError(error: unknown, logger: Logger, tool: string): CallToolResult {
  const known = asAppError(error);
  if (known && known.code !== "internal") {
    return { isError: true, content: [{ type: "text", text: describeAppError(known) }] };
  }
  logger.error("mcp tool failed", { tool, error });
  reportError(error, { requestId: requestId(), tags: { transport: "mcp", tool } });
  return { isError: true, content: [{ type: "text", text: `Error (internal): ${genericMessage()}` }] };
}

/** -32002 is the spec's "resource not found" code for resources/read. */
const RESOURCE_NOT_FOUND = -32002;

/** Resource reads answer with JSON-RPC errors (they have no isError result); same safety rules. */
export function resourceError(error: unknown, logger: Logger): McpError {
  const known = asAppError(error);
  if (known?.code === "not_found") return new McpError(RESOURCE_NOT_FOUND, known.message);
  if (known && known.code !== "internal")
    return new McpError(ErrorCode.InvalidRequest, describeAppError(known));
  logger.error("mcp resource read failed", { error });
  reportError(error, { requestId: requestId(), tags: { transport: "mcp", tool: "resources/read" } });
  return new McpError(ErrorCode.InternalError, genericMessage());
}
