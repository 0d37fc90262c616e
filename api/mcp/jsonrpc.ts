import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

const invalidRequest = (message: string) =>
  Response.json(
    { jsonrpc: "2.0", error: { code: -32600, message: `Invalid Request: ${message}` }, id: null },
    { status: 400 },
  );

const isJson = (contentType: string | null) =>
  contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";

/**
 * Reads a POSTed JSON-RPC body so that valid JSON which is no JSON-RPC message (or an empty
 * batch) gets the spec's -32600 Invalid Request; the SDK answers those with -32700 Parse error.
 * Returns the parsed body for the transport, `{}` to let the transport report a non-JSON body or
 * content type itself (-32700, 415), or the 400 to send.
 */
export async function readJsonRpc(request: Request): Promise<{ parsedBody?: unknown } | Response> {
  if (!isJson(request.headers.get("content-type"))) return {};
  const text = await request.clone().text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {}; // the transport answers -32700 from the untouched original
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
  return { parsedBody: parsed };
}
