import type { Deps } from "../core/create-core.ts";
import { AppError, asAppError } from "../core/errors.ts";
import { errorResponse } from "./errors.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth.ts";
import { bodyTypeOf, CANONICAL_JSON } from "./media-type.ts";
import { clientIp } from "./rate-limit-headers.ts";

/**
 * What every request passes before Elysia sees it, in the order it costs least:
 * 1. a body declared larger than REQUEST_BODY_MAX_BYTES is refused unread (413);
 * 2. the body is read, stopping past the limit (chunked bodies have no length to check up front);
 * 3. a non-empty REST body that is not JSON by the one media-type rule (api/media-type.ts) is
 *    415; a JSON one is relabelled `application/json`, the only spelling Elysia's parser knows;
 * 4. the body is scanned for nesting deeper than MAX_JSON_DEPTH (400) before any parser or
 *    validator recurses into it. Such a refusal without valid credentials counts against the
 *    sender's address like a failed sign-in (`core.auth.chargeRefusedRequest`).
 * Returns the request to hand on (with the buffered body) or the response to send.
 */
export function createRequestGate({ core, config }: Pick<Deps, "core" | "config">) {
  const limit = config.http.bodyMaxBytes;
  const tooLarge = (requestId: string) =>
    errorResponse(
      new AppError("payload_too_large", `The request body is larger than the ${limit}-byte limit`, {
        details: { limit_bytes: limit },
      }),
      requestId,
    );

  const refuseNested = async (request: Request, requestId: string): Promise<Response> => {
    try {
      await core.auth.chargeRefusedRequest(
        { authorization: request.headers.get("authorization"), apiKey: request.headers.get("x-api-key") },
        clientIp(request, config),
      );
    } catch (error) {
      const known = asAppError(error);
      if (!known) throw error;
      return errorResponse(known, requestId);
    }
    return errorResponse(tooDeep(), requestId);
  };

  return async (request: Request, url: URL, requestId: string): Promise<Request | Response> => {
    if (Number(request.headers.get("content-length") ?? 0) > limit) return tooLarge(requestId);
    if (!request.body) return request;
    const bytes = await readCapped(request.body, limit);
    if (bytes === "too_large") return tooLarge(requestId);
    if (bytes === "unreadable") return errorResponse(unreadable(), requestId);
    if (bytes.byteLength === 0) return withBody(request, null, false);
    const type = bodyTypeOf(request.headers.get("content-type"));
    if (type !== "json" && url.pathname.startsWith("/v1/")) {
      return errorResponse(unsupportedMediaType(request.headers.get("content-type"), type), requestId);
    }
    // Every body is scanned, JSON or not: /mcp hands other types to its transport, which parses too.
    if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) return refuseNested(request, requestId);
    return withBody(request, bytes, type === "json");
  };
}

function unsupportedMediaType(contentType: string | null, type: "not_utf8" | "other"): AppError {
  const message =
    type === "not_utf8"
      ? `JSON bodies must be UTF-8; drop the charset parameter or send charset=utf-8 (got ${contentType}).`
      : `Send the body as JSON (Content-Type: application/json), not ${contentType ?? "without a Content-Type"}.`;
  return new AppError("invalid_input", message, { details: { reason: "unsupported_media_type" } });
}

const tooDeep = () =>
  new AppError(
    "invalid_input",
    `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels of arrays and objects; no request needs that many.`,
    { details: { reason: "nesting_too_deep", max_depth: MAX_JSON_DEPTH } },
  );

const unreadable = () =>
  new AppError("invalid_input", "The request body could not be read to its end; send it again.", {
    details: { reason: "malformed_body" },
  });

/** The whole body, or why not: over `limit` bytes (reading stops there), or the stream broke. */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | "too_large" | "unreadable"> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return "too_large";
      }
      chunks.push(value);
    }
  } catch {
    return "unreadable"; // the client went away mid-body
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The same request with its buffered body (null: none), an exact length, and JSON labelled canonically. */
function withBody(request: Request, bytes: Uint8Array | null, isJson: boolean): Request {
  const headers = new Headers(request.headers);
  headers.delete("transfer-encoding");
  headers.set("content-length", String(bytes?.byteLength ?? 0));
  if (isJson) headers.set("content-type", CANONICAL_JSON);
  const body = bytes as Uint8Array<ArrayBuffer> | null;
  return new Request(request.url, { method: request.method, headers, body, signal: request.signal });
}
