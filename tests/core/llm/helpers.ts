import { z } from "zod";
import { createLlmClient, type LlmSettings, type StructuredRequest } from "../../../core/llm/index.ts";

export const Answer = z.object({ answer: z.string() });

/** A minimal structured request; the fake server only looks at what tests script. */
export const answerRequest = (): StructuredRequest<z.infer<typeof Answer>> => ({
  role: "reflector",
  operation: "reflect",
  messages: [
    { role: "system", content: "You answer questions." },
    { role: "user", content: "What is 6 × 7?" },
  ],
  schemaName: "answer",
  jsonSchema: {
    type: "object",
    additionalProperties: false,
    required: ["answer"],
    properties: { answer: { type: "string" } },
  },
  schema: Answer,
});

/** A client against the fake with a fake clock: sleeps are recorded, not waited for. */
export function testClient(baseURL: string, overrides: Partial<LlmSettings> = {}) {
  const sleeps: number[] = [];
  const llm = createLlmClient({
    baseURL,
    apiKey: "sk-test",
    models: { reflector: "gpt-4o-mini", curator: "gpt-4.1" },
    timeoutMs: 300,
    maxAttempts: 3,
    backoffBaseMs: 100,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
  return { llm, sleeps };
}

/** Awaits a promise expected to reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}
