import { Elysia } from "elysia";
import type { Deps } from "../../core/create-core.ts";
import { EventsQuery, type LiveEvent, type StreamEndReason, StreamToken } from "../../core/events/index.ts";
import { authPlugin } from "../auth-plugin.ts";
import { adminExamples } from "../examples-admin.ts";
import { ROUTE_DOC } from "../openapi-refine.ts";
import { errors } from "../schemas.ts";
import { SECRET_RESPONSE_HEADERS } from "../security-headers.ts";

const tags = ["events"];
const encoder = new TextEncoder();

/** One server-sent event: `event:` names it, `data:` is one line of JSON. */
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Live events for dashboards over server-sent events. A signed-in page gets a one-minute stream
 * token (EventSource cannot send headers) and opens `GET /v1/events?token=…`; the request log
 * records paths only, never the query, so the token is not logged.
 */
export const eventRoutes = (deps: Deps) => {
  const { core, config } = deps;
  const { pingMs, maxStreamMs } = config.events;
  return new Elysia({ name: "event-routes" })
    .use(authPlugin(deps))
    .post(
      "/v1/events/tokens",
      async ({ caller, set }) => {
        Object.assign(set.headers, SECRET_RESPONSE_HEADERS);
        set.status = 201;
        return core.events.issueToken(caller);
      },
      {
        auth: true,
        response: { 201: StreamToken.meta({ examples: [adminExamples.streamToken] }), ...errors(401, 403) },
        detail: {
          tags,
          operationId: "createEventStreamToken",
          summary: "A one-minute token to open the live event stream (GET /v1/events)",
          description:
            "Signed-in sessions only (Bearer access token; an API key gets 403). The token names your user and session: the stream it opens carries only your own events and ends when the session does.",
        },
      },
    )
    .get(
      "/v1/events",
      async ({ query, request }) => {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        let done = false;
        const timers: Array<ReturnType<typeof setInterval>> = [];
        let close = () => {};
        const send = (text: string) => {
          if (done) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        };
        const finish = (reason?: StreamEndReason) => {
          if (done) return;
          if (reason) send(frame("end", { reason }));
          done = true;
          for (const timer of timers) clearInterval(timer);
          close();
          try {
            controller.close();
          } catch {
            // already closed by the client
          }
        };
        const body = new ReadableStream<Uint8Array>({
          start: (c) => {
            controller = c;
          },
          cancel: () => finish(),
        });
        const stream = await core.events.open(query.token, {
          event: (event: LiveEvent) => send(frame(event.type, event)),
          ready: () => send(frame("ready", { at: new Date().toISOString() })),
          end: (reason) => finish(reason),
        });
        close = stream.close;
        // Reconnect delay for EventSource; a comment line first so proxies flush the headers.
        send(`retry: 3000\n: connected\n\n`);
        timers.push(
          setInterval(() => {
            send(": ping\n\n");
            // belt and braces: a session-ended NOTIFY missed while the connection was down
            core.events.sessionActive(stream.identity.sessionId).then(
              (active) => active || finish("session_ended"),
              () => {},
            );
          }, pingMs),
        );
        const maxAge = setTimeout(() => finish("max_age"), maxStreamMs);
        timers.push(maxAge as unknown as ReturnType<typeof setInterval>);
        request.signal.addEventListener("abort", () => finish());
        return new Response(body, {
          headers: {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-store, no-transform",
            "x-accel-buffering": "no",
          },
        });
      },
      {
        query: EventsQuery,
        response: errors(401, 422, 429),
        detail: {
          tags,
          operationId: "streamEvents",
          summary: "Live events of your playbooks (server-sent events)",
          description: `\`text/event-stream\`. Open with \`new EventSource("/v1/events?token=" + token)\` (token from POST /v1/events/tokens). Events, each \`data:\` one JSON object: \`ready\` (listening: from now on nothing is missed; sent again after the server reconnects to the database, so refetch then), \`evolution\` {job_id, playbook_id, status: queued|running|completed|failed}, \`version\` {playbook_id, version, origin}, \`outcome\` {playbook_id, pending}, \`end\` {reason: session_ended|max_age|shutdown} just before the server closes the stream. A comment ping every ${pingMs / 1000} s; a stream lasts at most ${maxStreamMs / 1000} s, then get a new token and reconnect. At most EVENTS_STREAMS_PER_USER open streams per user (429). Only your own playbooks' events, never their content.`,
          security: [],
          ...ROUTE_DOC.eventStream,
        },
      },
    );
};
