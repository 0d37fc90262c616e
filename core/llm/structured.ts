import { type ZodType, z } from "zod";
import { LlmError, LlmInvalidOutputError, LlmPermanentError } from "./errors.ts";
import { type ChatReply, callChat, type TransportContext } from "./transport.ts";
import type { ChatMessage, LlmOperation, StructuredRequest, StructuredResult, UsageEntry } from "./types.ts";

export interface StructuredContext extends TransportContext {
  models: Readonly<Record<"reflector" | "curator", string>>;
  maxOutputTokens: number | undefined;
  newCorrelationId: () => string;
  /** Models that rejected json_schema once; later calls go straight to JSON mode. */
  jsonModeOnly: Set<string>;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses model output as JSON (tolerating a ```json fence) and validates it with zod. */
export function validateOutput<T>(content: string, schema: ZodType<T>): Checked<T> {
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/\s*```$/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the reply is not valid JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: z.prettifyError(result.error).slice(0, 1500) };
}

const rejectsJsonSchema = (error: unknown): boolean =>
  error instanceof LlmPermanentError &&
  error.status === 400 &&
  /response_format|json_schema|structured output|not supported/i.test(error.message);

function jsonModeMessages(messages: ChatMessage[], jsonSchema: Record<string, unknown>): ChatMessage[] {
  const hint = `\n\nRespond with one JSON object matching this JSON Schema:\n${JSON.stringify(jsonSchema)}`;
  return messages.map((m, i) => (i === 0 && m.role === "system" ? { ...m, content: m.content + hint } : m));
}

async function callWithFormat<T>(
  ctx: StructuredContext,
  request: StructuredRequest<T>,
  messages: ChatMessage[],
  operation: LlmOperation,
): Promise<ChatReply> {
  const model = ctx.models[request.role];
  const base = { operation, model, maxOutputTokens: request.maxOutputTokens ?? ctx.maxOutputTokens };
  const correlationId = ctx.newCorrelationId();
  if (!ctx.jsonModeOnly.has(model)) {
    const json_schema = { name: request.schemaName, schema: request.jsonSchema, strict: true as const };
    try {
      return await callChat(ctx, {
        ...base,
        messages,
        correlationId,
        responseFormat: { type: "json_schema", json_schema },
      });
    } catch (error) {
      if (!rejectsJsonSchema(error)) throw error;
      ctx.jsonModeOnly.add(model);
    }
  }
  const fallback = jsonModeMessages(messages, request.jsonSchema);
  return callChat(ctx, {
    ...base,
    messages: fallback,
    correlationId,
    responseFormat: { type: "json_object" },
  });
}

function repairMessages(messages: ChatMessage[], reply: string, error: string): ChatMessage[] {
  const instruction =
    `Your previous reply could not be used: ${error}\n` +
    "Reply again with only the corrected JSON object that follows the required schema.";
  return [...messages, { role: "assistant", content: reply }, { role: "user", content: instruction }];
}

/**
 * Structured output with one repair: json_schema (strict) first, JSON mode if the provider rejects
 * it, zod validation, one repair call carrying the validation error, then LlmInvalidOutputError.
 * Any LlmError thrown carries `usage` for every call that returned tokens.
 */
export async function generateStructured<T>(
  ctx: StructuredContext,
  request: StructuredRequest<T>,
): Promise<StructuredResult<T>> {
  const usage: UsageEntry[] = [];
  try {
    const first = await callWithFormat(ctx, request, request.messages, request.operation);
    usage.push(first.usage);
    const checked = validateOutput(first.content, request.schema);
    if (checked.ok) return { value: checked.value, usage };
    const retry = repairMessages(request.messages, first.content, checked.error);
    const second = await callWithFormat(ctx, request, retry, "repair");
    usage.push(second.usage);
    const again = validateOutput(second.content, request.schema);
    if (again.ok) return { value: again.value, usage };
    throw new LlmInvalidOutputError(
      `The ${request.role} returned invalid output, also after one repair attempt: ${again.error}`,
    );
  } catch (error) {
    if (error instanceof LlmError) error.usage = [...usage, ...error.usage];
    throw error;
  }
}
