import {
  CallToolRequestSchema,
  JSONRPCMessageSchema,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { AppError } from "../../core/errors.ts";
import { httpStatus } from "../errors.ts";
import { isJsonMediaType } from "../media-type.ts";

// A body that is no JSON-RPC message is a malformed body: its HTTP status (400) comes from the one
// status mapping; the JSON-RPC error code in the body says which kind.
const MALFORMED = httpStatus(
  new AppError("invalid_input", "malformed body", { details: { reason: "malformed_body" } }),
);

const invalidRequest = (message: string) =>
  Response.json(
    { jsonrpc: "2.0", error: { code: -32600, message: `Invalid Request: ${message}` }, id: null },
    { status: MALFORMED },
  );

const parseError = () =>
  Response.json(
    { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: Invalid JSON" }, id: null },
    { status: MALFORMED },
  );

// The transport answers these itself (406, 415) before it looks at the body.
const acceptsBoth = (accept: string | null) =>
  Boolean(accept?.includes("application/json") && accept.includes("text/event-stream"));

/**
 * Reads a POSTed JSON-RPC body once, so that valid JSON which is no JSON-RPC message (or an
 * empty batch) gets the spec's -32600 Invalid Request (the SDK answers -32700 Parse error).
 * Returns the parsed body for the transport, `{}` to let the transport refuse the Accept or
 * Content-Type header itself, or the 400 to send.
 */
export async function readJsonRpc(request: Request): Promise<{ parsedBody?: unknown } | Response> {
  if (!acceptsBoth(request.headers.get("accept")) || !isJsonMediaType(request.headers.get("content-type"))) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await request.text());
  } catch {
    return parseError(); // not JSON, or the client went away mid-body
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  if (messages.length === 0) return invalidRequest("an empty batch");
  const index = messages.findIndex((m) => !JSONRPCMessageSchema.safeParse(m).success);
  if (index >= 0) {
    const where = Array.isArray(parsed) ? `batch item ${index}` : "the body";
    return invalidRequest(
      `${where} is not a JSON-RPC 2.0 message (expected {"jsonrpc":"2.0","method":…} with an optional id)`,
    );
  }
  const badParams = Array.isArray(parsed) ? null : invalidParams(parsed as JsonRpcRequest);
  return badParams ?? { parsedBody: parsed };
}

type JsonRpcRequest = { id?: string | number; method?: string; params?: Record<string, unknown> };

// The SDK answers malformed params of these requests with -32603 Internal error and a raw zod
// dump; the spec's answer is -32602 Invalid params with a readable message.
const CHECKED_PARAMS: Record<
  string,
  { schema: typeof CallToolRequestSchema | typeof ReadResourceRequestSchema; hint: string }
> = {
  "tools/call": {
    schema: CallToolRequestSchema,
    hint: 'params must be {"name": string, "arguments"?: object}',
  },
  "resources/read": { schema: ReadResourceRequestSchema, hint: 'params must be {"uri": "playbook://<id>"}' },
};

function invalidParams(message: JsonRpcRequest): Response | null {
  const checked = message.method ? CHECKED_PARAMS[message.method] : undefined;
  if (!checked || message.id === undefined) return null;
  // Some clients send `"arguments": null` for tools without arguments: read it as none.
  if (message.params?.arguments === null) delete message.params.arguments;
  const uri = message.params?.uri;
  const validUri = message.method !== "resources/read" || (typeof uri === "string" && URL.canParse(uri));
  if (checked.schema.safeParse(message).success && validUri) return null;
  return Response.json(
    { jsonrpc: "2.0", error: { code: -32602, message: `Invalid params: ${checked.hint}` }, id: message.id },
    { status: 200 },
  );
}
