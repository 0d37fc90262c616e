/**
 * Fake OpenAI-compatible chat-completions server (`POST /v1/chat/completions`) for tests and
 * benchmarks. Listens on 127.0.0.1, port 0 (a free port).
 *
 * ```ts
 * const fake = await startFakeLlm({ instant: true });
 * const llm = createLlmClient({ baseURL: fake.baseURL, apiKey: "test", models, timeoutMs: 200, maxAttempts: 3 });
 * fake.script(reply.status(500), reply.json({ reasoning: "…", operations: [] }));
 * // … run code …
 * fake.requests;     // every request: { body, headers, responseFormat: "json_schema" | "json_object" | null, role }
 * await fake.stop(); // also releases hanging requests
 * ```
 *
 * Scripted replies are consumed one per request, in order:
 * - `reply.json(value, opts?)`    200 with `JSON.stringify(value)` as message content
 * - `reply.text(content, opts?)`  200 with raw content (e.g. invalid JSON or schema-violating JSON)
 * - `reply.noUsage(value)`        200 without a `usage` object
 * - `reply.status(code, opts?)`   an error status with an OpenAI-style error body (500, 400, 401 …)
 * - `reply.rateLimited(seconds)`  429 with `Retry-After: seconds`
 * - `reply.rejectJsonSchema()`    400 saying `response_format` json_schema is unsupported
 * - `reply.malformedBody()`       200 whose body is not JSON
 * - `reply.hang()`                never answers (until `stop()`), to trip the client's timeout
 * - `reply.slow(ms, then?)`       answers `then` (default `reply.instant()`) after `ms` (a long call)
 * - `reply.instant()`             a valid reflection or curation, derived from the request
 * `opts` for 200 replies: `{ usage?: { prompt_tokens, completion_tokens, total_tokens } | null,
 * requestId?: string, model?: string }`; by default usage is chars/4 and `x-request-id` is `req_N`.
 *
 * When the script is empty: with `instant: true` every request gets `reply.instant()` (after a
 * random delay in `latencyMs: [min, max]` when given, a provider's latency for soak runs); otherwise
 * a 500 "no scripted reply" so a test notices the unexpected call. `fake.rejectJsonSchema
 * = true` makes every json_schema request fail with 400 like a provider without structured outputs.
 * `instantReply(body)` is exported for in-process stubs (benchmarks).
 */

import { createLlmClient, type LlmClient } from "../../core/llm/index.ts";

export interface RequestBody {
  model: string;
  messages?: Array<{ role: string; content?: string }>;
  response_format?: { type: "json_schema" | "json_object"; json_schema?: { name?: string } };
}

export interface ReplyOptions {
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  requestId?: string;
  model?: string;
}

export type Reply =
  | { kind: "content"; content: unknown; options: ReplyOptions }
  | { kind: "status"; status: number; message: string; headers: Record<string, string> }
  | { kind: "malformed" }
  | { kind: "hang" }
  | { kind: "slow"; ms: number; then: Reply }
  | { kind: "instant" };

export const reply = {
  json: (value: unknown, options: ReplyOptions = {}): Reply => ({
    kind: "content",
    content: JSON.stringify(value),
    options,
  }),
  text: (content: string, options: ReplyOptions = {}): Reply => ({ kind: "content", content, options }),
  /** `message.content` as given: content parts, null, a number … (what some compatible servers send). */
  rawContent: (content: unknown, options: ReplyOptions = {}): Reply => ({
    kind: "content",
    content,
    options,
  }),
  noUsage: (value: unknown): Reply => ({
    kind: "content",
    content: JSON.stringify(value),
    options: { usage: null },
  }),
  status: (status: number, options: { message?: string; headers?: Record<string, string> } = {}): Reply => ({
    kind: "status",
    status,
    message: options.message ?? `fake error ${status}`,
    headers: options.headers ?? {},
  }),
  rateLimited: (retryAfterSeconds: number): Reply => ({
    kind: "status",
    status: 429,
    message: "Rate limit reached",
    headers: { "retry-after": String(retryAfterSeconds) },
  }),
  rejectJsonSchema: (): Reply => ({
    kind: "status",
    status: 400,
    message: "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
    headers: {},
  }),
  malformedBody: (): Reply => ({ kind: "malformed" }),
  hang: (): Reply => ({ kind: "hang" }),
  /** `then` is answered as is (a nested `slow` or `hang` never answers). */
  slow: (ms: number, then: Reply = { kind: "instant" }): Reply => ({ kind: "slow", ms, then }),
  instant: (): Reply => ({ kind: "instant" }),
};

function hash(text: string): string {
  return Bun.hash(text).toString(36).slice(0, 8);
}

/**
 * A valid reply for a reflector or curator request, derived only from the request: the reflector
 * tags the first bullet it was shown `helpful`; the curator adds one bullet to the first section
 * of the playbook it was shown. Deterministic for a given request.
 */
export function instantReply(body: RequestBody): string {
  const messages = body.messages ?? [];
  const system = messages[0]?.content ?? "";
  const user = messages[1]?.content ?? "";
  if (system.includes("You are the Reflector")) {
    const first = /\[([^\]\s]+)\] helpful=/.exec(user)?.[1];
    return JSON.stringify({
      reasoning: "instant reflection",
      error_identification: "",
      root_cause_analysis: "instant",
      correct_approach: "instant",
      key_insight: `insight ${hash(user)}`,
      bullet_tags: first ? [{ id: first, tag: "helpful" }] : [],
    });
  }
  const section = /^## (.+)$/m.exec(user)?.[1] ?? "OTHERS";
  const operations = [
    {
      type: "ADD",
      section,
      bullet_id: null,
      bullet_ids: null,
      content: `Instant lesson ${hash(user)} for agents`,
      reason: "instant",
    },
  ];
  return JSON.stringify({ reasoning: "instant curation", operations });
}

export interface RecordedRequest {
  body: RequestBody;
  headers: Record<string, string>;
  responseFormat: "json_schema" | "json_object" | null;
  role: "reflector" | "curator" | "unknown";
}

export interface FakeLlm {
  baseURL: string;
  requests: RecordedRequest[];
  instant: boolean;
  rejectJsonSchema: boolean;
  script(...replies: Reply[]): void;
  /** Scripted replies not consumed yet. */
  pending(): number;
  stop(): Promise<void>;
}

function roleOf(body: RequestBody): RecordedRequest["role"] {
  const system = body.messages?.[0]?.content ?? "";
  if (system.includes("You are the Reflector")) return "reflector";
  if (system.includes("You are the Curator")) return "curator";
  return "unknown";
}

/** Starts the fake server. Never throws after start; unexpected calls get a 500. */
export async function startFakeLlm(
  options: { instant?: boolean; latencyMs?: [number, number] } = {},
): Promise<FakeLlm> {
  const unscripted = (): Reply => {
    if (!options.latencyMs) return { kind: "instant" };
    const [min, max] = options.latencyMs;
    return reply.slow(min + Math.random() * (max - min));
  };
  const queue: Reply[] = [];
  const hanging = new Set<() => void>();
  let counter = 0;
  const fake: FakeLlm = {
    baseURL: "",
    requests: [],
    instant: options.instant ?? false,
    rejectJsonSchema: false,
    script: (...replies) => queue.push(...replies),
    pending: () => queue.length,
    stop: async () => {
      for (const release of hanging) release();
      server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    development: false,
    error: (error) => errorResponse(500, `fake LLM crashed: ${error.message}`),
    fetch: async (request) => {
      const body = (await request.json()) as RequestBody;
      const responseFormat = body.response_format?.type ?? null;
      fake.requests.push({
        body,
        headers: Object.fromEntries(request.headers),
        responseFormat,
        role: roleOf(body),
      });
      counter += 1;
      const requestId = `req_${counter}`;
      if (fake.rejectJsonSchema && responseFormat === "json_schema") {
        return errorResponse(
          400,
          "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
        );
      }
      let next = queue.shift() ?? (fake.instant ? unscripted() : null);
      if (next === null) return errorResponse(500, "fake LLM: no scripted reply left");
      if (next.kind === "slow") {
        const { ms, then } = next;
        await new Promise<void>((resolve) => {
          const release = () => resolve();
          hanging.add(release);
          setTimeout(() => {
            hanging.delete(release);
            resolve();
          }, ms);
        });
        next = then;
      }
      if (next.kind === "hang" || next.kind === "slow") {
        return new Promise<Response>((resolve) => {
          hanging.add(() => resolve(errorResponse(500, "fake LLM stopped")));
        });
      }
      return respond(next, body, requestId);
    },
  });
  fake.baseURL = `http://127.0.0.1:${server.port}/v1`;
  return fake;
}

function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type: "fake_error", code: null } }, { status, headers });
}

function respond(
  next: Exclude<Reply, { kind: "hang" } | { kind: "slow" }>,
  body: RequestBody,
  requestId: string,
): Response {
  switch (next.kind) {
    case "status":
      return errorResponse(next.status, next.message, next.headers);
    case "malformed":
      return new Response('{"id": "chatcmpl-broken", "choices": [', {
        headers: { "content-type": "application/json" },
      });
    case "instant":
      return completion(body, instantReply(body), { requestId });
    case "content":
      return completion(body, next.content, { requestId, ...next.options });
  }
}

function completion(
  body: RequestBody,
  content: unknown,
  opts: ReplyOptions & { requestId: string },
): Response {
  const promptChars = (body.messages ?? []).reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
  const prompt = Math.ceil(promptChars / 4);
  const completionTokens = Math.ceil(String(JSON.stringify(content) ?? "").length / 4);
  const usage =
    opts.usage === undefined
      ? {
          prompt_tokens: prompt,
          completion_tokens: completionTokens,
          total_tokens: prompt + completionTokens,
        }
      : opts.usage;
  const payload: Record<string, unknown> = {
    id: `chatcmpl-${opts.requestId}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: opts.model ?? body.model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
  };
  if (usage !== null) payload.usage = usage;
  return Response.json(payload, { headers: { "x-request-id": opts.requestId } });
}

/**
 * The real metered client pointed at a fake server: one attempt per call and tiny backoff, so the
 * retries under test are graphile-worker's, not the client's.
 */
export function fakeLlmClient(fake: FakeLlm): LlmClient {
  return createLlmClient({
    baseURL: fake.baseURL,
    apiKey: "test",
    models: { reflector: "gpt-4.1-mini", curator: "gpt-4.1-mini" },
    timeoutMs: 2_000,
    maxAttempts: 1,
    backoffBaseMs: 1,
  });
}
