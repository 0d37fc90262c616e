import { z } from "zod";
import { errorExamples } from "./examples.ts";
import { ErrorEnvelope } from "./schemas.ts";

/**
 * What the generated OpenAPI document cannot say from route schemas alone, declared by routes in
 * `detail` (spread into the operation by @elysiajs/openapi) and applied here:
 * - `x-no-content: "…"` documents a 204 (an empty response schema breaks the generator),
 * - `x-optional-body: true` marks the request body optional (the generator always requires it),
 * - `x-text-download: true` adds the `text/markdown` form of the 200 response,
 * - `x-event-stream: true` documents the 200 as a `text/event-stream`.
 * Request bodies are JSON only (the generator also lists form types, which the server refuses)
 * and every operation with a body gets the 415 the server answers to anything else.
 */
export const ROUTE_DOC = {
  noContent: (description: string) => ({ "x-no-content": description }),
  optionalBody: { "x-optional-body": true },
  textDownload: { "x-text-download": true },
  eventStream: { "x-event-stream": true },
} as const;

type Operation = Record<string, unknown> & {
  requestBody?: { required?: boolean; content?: Record<string, unknown> };
  responses?: Record<string, unknown>;
};

const envelope = {
  "application/json": {
    schema: z.toJSONSchema(ErrorEnvelope),
    example: { error: { ...errorExamples[415], request_id: "2b7c9e4f1a3d" } },
  },
};
const refined = new WeakSet<object>();

/** Applies the declarations above to a document in place (once; the plugin caches it). */
export function refineDocument<T>(document: T): T {
  if (typeof document !== "object" || document === null || refined.has(document)) return document;
  refined.add(document);
  const paths = (document as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) refineOperation(operation);
  }
  return document;
}

function refineOperation(operation: Operation) {
  operation.responses ??= {};
  const responses = operation.responses;
  const noContent = operation["x-no-content"];
  if (typeof noContent === "string") responses["204"] = { description: noContent };
  if (operation["x-optional-body"] && operation.requestBody) operation.requestBody.required = false;
  const ok = responses["200"] as { content?: Record<string, unknown> } | undefined;
  if (operation["x-text-download"] && ok?.content) {
    ok.content["text/markdown"] = {
      schema: { type: "string", description: "The playbook in ACE text form" },
    };
  }
  if (operation["x-event-stream"]) {
    responses["200"] = {
      description: "The event stream (see the description for the events)",
      content: { "text/event-stream": { schema: { type: "string" } } },
    };
  }
  if (operation.requestBody?.content) {
    const json = operation.requestBody.content["application/json"];
    operation.requestBody.content = json ? { "application/json": json } : {};
    responses["415"] = {
      description: "The body is not JSON (send Content-Type: application/json)",
      content: envelope,
    };
  }
  for (const key of ["x-no-content", "x-optional-body", "x-text-download"]) delete operation[key];
}
