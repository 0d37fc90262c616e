import { z } from "zod";
import { ERROR_CODES } from "../core/errors.ts";
import { errorExamples } from "./examples.ts";

/** The error envelope, for OpenAPI documents. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe("What went wrong and what to do about it"),
    request_id: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (e.g. the body is not JSON)",
  401: "Missing, invalid, expired or revoked credentials",
  403: "Authenticated, but not allowed (missing scope, or a read-only starter)",
  404: "Not found (also for another user's resources)",
  409: "Conflict with the current state",
  413: "A field or the body is over its size limit",
  422: "The input does not match the schema; the message names each field",
  429: "Rate limited; see Retry-After",
  503: "Temporarily unavailable, or a feature the operator has not configured (e.g. no LLM provider)",
};

const example = (status: number) => {
  const error = errorExamples[status];
  return error ? [{ error: { ...error, request_id: "2b7c9e4f1a3d" } }] : [];
};

/** Documented error responses for a route, each with an example: `...errors(401, 404)`. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      ErrorEnvelope.meta({ description: DESCRIPTIONS[s] ?? "Error", examples: example(s) }),
    ]),
  ) as Record<number, typeof ErrorEnvelope>;
}

export const PlaybookParams = z.object({ id: z.string().describe("Playbook id (UUID)") });
export const VersionParams = PlaybookParams.extend({ v: z.string().describe("Version number (1, 2, …)") });

export const FormatQuery = z.object({
  format: z.enum(["json", "text"]).optional().describe("`text` returns the playbook as text/markdown"),
});

const SectionName = z
  .string()
  .trim()
  .min(1, "a section name must not be empty")
  .max(200, "a section name is at most 200 characters");

/**
 * `?sections=A&sections=B` or `?sections=A,B`. Elysia hands a repeated or comma-separated query
 * value over as an array (nested when both), a single one as a string: all become one list.
 */
export const SectionsQuery = z
  .preprocess((value) => [value].flat(2), z.array(SectionName).min(1).max(50, "at most 50 sections"))
  .optional()
  .describe(
    "Only these sections of the playbook, by header name (case-insensitive), e.g. `STRATEGIES & INSIGHTS`: repeat the parameter or separate names with commas. `content` (and the text download) then holds just them, in the playbook's order; a name the playbook lacks is a 422 listing its sections.",
  );
