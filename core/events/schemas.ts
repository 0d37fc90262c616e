import { z } from "zod";
import { EvolutionStatus } from "../evolution/schemas.ts";

/** Live events (GET /v1/events): the stream token and what a stream carries. */

export const STREAM_TOKEN_SECONDS = 60;

export const StreamToken = z.object({
  token: z.string().describe("Signed, short-lived: pass it as `?token=` to GET /v1/events within a minute"),
  expires_at: z.iso
    .datetime()
    .describe("After this instant the token opens no stream (a stream opened before keeps running)"),
  url: z.string().describe("The stream's path with the token, ready for `new EventSource(url)`"),
});
export type StreamToken = z.infer<typeof StreamToken>;

export const EventsQuery = z.object({
  token: z
    .string()
    .min(1, "token is required")
    .max(4096)
    .describe("A stream token from POST /v1/events/tokens"),
});

/** `event: evolution` — a job of one of your playbooks was queued or changed status. */
export const EvolutionEvent = z.object({
  type: z.literal("evolution"),
  job_id: z.string(),
  playbook_id: z.string(),
  status: EvolutionStatus,
});

/** `event: version` — a new version of one of your playbooks (evolution, edit, restore …). */
export const VersionEvent = z.object({
  type: z.literal("version"),
  playbook_id: z.string(),
  version: z.number().int(),
  origin: z.enum(["initial", "evolution", "manual", "restore", "starter_sync"]),
});

/** `event: outcome` — the number of pending (unprocessed) outcomes of one of your playbooks changed. */
export const OutcomeEvent = z.object({
  type: z.literal("outcome"),
  playbook_id: z.string(),
  pending: z.number().int().min(0),
});

export const LiveEvent = z.discriminatedUnion("type", [EvolutionEvent, VersionEvent, OutcomeEvent]);
export type LiveEvent = z.infer<typeof LiveEvent>;

/** Why the server ended a stream (`event: end`). */
export type StreamEndReason = "session_ended" | "max_age" | "shutdown";
