import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import {
  createLlmClient,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmPermanentError,
  LlmTransientError,
} from "../../../core/llm/index.ts";
import { type FakeLlm, reply, startFakeLlm } from "../../support/fake-llm.ts";
import { answerRequest, rejection, testClient } from "./helpers.ts";

let fake: FakeLlm;
beforeEach(async () => {
  await fake?.stop();
  fake = await startFakeLlm();
});
afterAll(() => fake.stop());

const USAGE = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };

describe("successful calls", () => {
  test("returns the validated value and one usage entry priced from the table", async () => {
    fake.script(reply.json({ answer: "42" }, { usage: USAGE, requestId: "req_abc" }));
    const { llm } = testClient(fake.baseURL);
    const result = await llm.generate(answerRequest());
    expect(result.value).toEqual({ answer: "42" });
    expect(result.usage).toEqual([
      {
        operation: "reflect",
        model: "gpt-4o-mini",
        promptTokens: 1000,
        completionTokens: 200,
        totalTokens: 1200,
        costUsd: "0.000270",
        priced: true,
        providerRequestId: "req_abc",
        correlationId: expect.any(String),
        estimated: false,
      },
    ]);
  });

  test("sends a strict json_schema response format, the role's model and the correlation id", async () => {
    fake.script(reply.json({ answer: "42" }));
    const { llm } = testClient(fake.baseURL);
    const { usage } = await llm.generate({ ...answerRequest(), role: "curator" });
    const [request] = fake.requests;
    expect(request?.body.model).toBe("gpt-4.1");
    expect(request?.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "answer", strict: true },
    });
    expect(request?.headers["x-correlation-id"]).toBe(usage[0]!.correlationId);
    expect(request?.headers["x-client-request-id"]).toBe(usage[0]!.correlationId);
  });

  test("estimates usage with js-tiktoken when the response has none, and says so", async () => {
    fake.script(reply.noUsage({ answer: "42" }));
    const { llm } = testClient(fake.baseURL);
    const [entry] = (await llm.generate(answerRequest())).usage;
    expect(entry).toMatchObject({ estimated: true, completionTokens: 5 });
    expect(entry!.promptTokens).toBeGreaterThan(10);
    expect(entry!.totalTokens).toBe(entry!.promptTokens + entry!.completionTokens);
  });

  test("an unknown model costs zero and is flagged unpriced", async () => {
    fake.script(reply.json({ answer: "42" }, { usage: USAGE, model: "llama3.1:8b" }));
    const { llm } = testClient(fake.baseURL);
    const [entry] = (await llm.generate(answerRequest())).usage;
    expect(entry).toMatchObject({ model: "llama3.1:8b", costUsd: "0.000000", priced: false });
  });
});

describe("retries", () => {
  test("retries a 500 with exponential backoff, then succeeds", async () => {
    fake.script(reply.status(500), reply.status(503), reply.json({ answer: "42" }));
    const { llm, sleeps } = testClient(fake.baseURL);
    const result = await llm.generate(answerRequest());
    expect(result.value.answer).toBe("42");
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    // Retries of one logical call keep its correlation id.
    expect(new Set(fake.requests.map((r) => r.headers["x-correlation-id"])).size).toBe(1);
    expect(fake.requests.map((r) => r.headers["x-stainless-retry-count"])).toEqual(["0", "0", "0"]);
  });

  test("honours Retry-After on a 429", async () => {
    fake.script(reply.rateLimited(7), reply.json({ answer: "42" }));
    const { llm, sleeps } = testClient(fake.baseURL);
    await llm.generate(answerRequest());
    expect(sleeps).toEqual([7000]);
  });

  test("gives up after maxAttempts with a transient error naming the cause", async () => {
    fake.script(reply.status(502), reply.status(502), reply.status(502));
    const { llm } = testClient(fake.baseURL);
    const error = await rejection(llm.generate(answerRequest()));
    expect(error).toBeInstanceOf(LlmTransientError);
    expect(error).toMatchObject({
      transient: true,
      kind: "server_error",
      status: 502,
      attempts: 3,
      usage: [],
    });
    expect((error as Error).message).toBe(
      "LLM provider unavailable: provider error 502 (HTTP 502) after 3 attempt(s)",
    );
  });

  test("times out a hanging request and retries it", async () => {
    fake.script(reply.hang(), reply.json({ answer: "42" }));
    const { llm } = testClient(fake.baseURL, { timeoutMs: 50 });
    expect((await llm.generate(answerRequest())).value.answer).toBe("42");
    expect(fake.requests).toHaveLength(2);
  });

  test("a request that keeps hanging ends as a transient timeout", async () => {
    fake.script(reply.hang(), reply.hang());
    const { llm } = testClient(fake.baseURL, { timeoutMs: 50, maxAttempts: 2 });
    expect(await rejection(llm.generate(answerRequest()))).toMatchObject({
      kind: "timeout",
      transient: true,
    });
  });

  test("retries a malformed (non-JSON) response body", async () => {
    fake.script(reply.malformedBody(), reply.json({ answer: "42" }));
    const { llm } = testClient(fake.baseURL);
    expect((await llm.generate(answerRequest())).value.answer).toBe("42");
  });

  test("connection refused is transient", async () => {
    const { llm } = testClient("http://127.0.0.1:9/v1", { maxAttempts: 2 });
    expect(await rejection(llm.generate(answerRequest()))).toMatchObject({
      kind: "connection",
      transient: true,
      attempts: 2,
    });
  });

  test("does not retry other 4xx: a permanent error with the provider's message", async () => {
    fake.script(reply.status(401, { message: "Incorrect API key provided" }));
    const { llm, sleeps } = testClient(fake.baseURL);
    const error = await rejection(llm.generate(answerRequest()));
    expect(error).toBeInstanceOf(LlmPermanentError);
    expect(error).toMatchObject({ transient: false, status: 401, kind: "rejected" });
    expect((error as Error).message).toBe("LLM request rejected (HTTP 401): Incorrect API key provided");
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe("structured output", () => {
  test("falls back to JSON mode when the provider rejects json_schema, and remembers it", async () => {
    fake.rejectJsonSchema = true;
    fake.script(reply.json({ answer: "42" }), reply.json({ answer: "43" }));
    const { llm } = testClient(fake.baseURL);
    expect((await llm.generate(answerRequest())).value.answer).toBe("42");
    expect((await llm.generate(answerRequest())).value.answer).toBe("43");
    expect(fake.requests.map((r) => r.responseFormat)).toEqual(["json_schema", "json_object", "json_object"]);
    expect(fake.requests[1]?.body.messages?.[0]?.content).toContain('"required":["answer"]');
  });

  test("repairs invalid JSON once, feeding back the error, and records both calls", async () => {
    fake.script(
      reply.text("Sure! {answer: 42", { usage: USAGE }),
      reply.json({ answer: "42" }, { usage: USAGE }),
    );
    const { llm } = testClient(fake.baseURL);
    const result = await llm.generate(answerRequest());
    expect(result.value.answer).toBe("42");
    expect(result.usage.map((u) => u.operation)).toEqual(["reflect", "repair"]);
    const repair = fake.requests[1]?.body.messages ?? [];
    expect(repair.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(repair[3]?.content).toContain("the reply is not valid JSON");
  });

  test("reads content parts; any other content shape is invalid output with its usage kept", async () => {
    fake.script(
      reply.rawContent([
        { type: "text", text: '{"answer":' },
        { type: "text", text: ' "42"}' },
      ]),
    );
    expect((await testClient(fake.baseURL).llm.generate(answerRequest())).value.answer).toBe("42");
    fake.script(reply.rawContent(42, { usage: USAGE }), reply.rawContent(null, { usage: USAGE }));
    const error = await rejection(testClient(fake.baseURL).llm.generate(answerRequest()));
    expect(error).toBeInstanceOf(LlmInvalidOutputError);
    expect((error as LlmInvalidOutputError).usage.map((u) => u.totalTokens)).toEqual([1200, 1200]);
  });

  test("accepts JSON wrapped in a markdown fence", async () => {
    fake.script(reply.text('```json\n{"answer": "42"}\n```'));
    const { llm } = testClient(fake.baseURL);
    expect((await llm.generate(answerRequest())).value.answer).toBe("42");
  });

  test("gives up after one failed repair with a permanent error carrying both usages", async () => {
    fake.script(reply.json({ answer: 42 }, { usage: USAGE }), reply.json({ wrong: true }, { usage: USAGE }));
    const { llm } = testClient(fake.baseURL);
    const error = await rejection(llm.generate(answerRequest()));
    expect(error).toBeInstanceOf(LlmInvalidOutputError);
    expect(error).toMatchObject({ transient: false, kind: "invalid_output" });
    expect((error as Error).message).toContain(
      "The reflector returned invalid output, also after one repair attempt",
    );
    expect((error as LlmInvalidOutputError).usage.map((u) => u.operation)).toEqual(["reflect", "repair"]);
    expect(fake.requests[1]?.body.messages?.[3]?.content).toContain("expected string, received number");
  });

  test("keeps the usage of the first call when the repair call fails for good", async () => {
    fake.script(
      reply.text("nope", { usage: USAGE }),
      reply.status(500),
      reply.status(500),
      reply.status(500),
    );
    const { llm } = testClient(fake.baseURL);
    const error = (await rejection(llm.generate(answerRequest()))) as LlmTransientError;
    expect(error).toBeInstanceOf(LlmTransientError);
    expect(error.usage).toHaveLength(1);
    expect(error.usage[0]?.promptTokens).toBe(1000);
  });
});

describe("configuration", () => {
  test("without API key and base URL every call fails permanently as not configured", async () => {
    const llm = createLlmClient({ models: { reflector: "a", curator: "b" }, timeoutMs: 100, maxAttempts: 3 });
    const error = await rejection(llm.generate(answerRequest()));
    expect(error).toBeInstanceOf(LlmNotConfiguredError);
    expect(error).toMatchObject({ transient: false, kind: "not_configured" });
  });

  test("a base URL without a key is enough (local servers)", async () => {
    fake.script(reply.json({ answer: "42" }));
    const { llm } = testClient(fake.baseURL, { apiKey: undefined });
    expect((await llm.generate(answerRequest())).value.answer).toBe("42");
  });
});
