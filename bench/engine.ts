/**
 * Engine overhead of one evolution: everything except waiting for the LLM. The 359-bullet AppWorld
 * fixture (130 KB, so the size limit is raised), 5 outcomes, an in-process LLM stub answering like
 * the fake server's instant mode; time spent inside the stub is subtracted.
 * `bun bench/engine.ts [iterations] [--http] [--reply-only]` — with --http the calls go through the
 * real client and SDK to the fake server over loopback, and the time awaiting `generate` is
 * subtracted. Then one evolution whose Curator reply has 5,000 (and 10,000) operations, against
 * the same fixture (issue 16: applying a reply is linear in its size); --reply-only runs just that.
 */
import path from "node:path";
import { evolvePlaybook, type OutcomeInput } from "../core/ace/index.ts";
import {
  clearTokenCache,
  countTokens,
  createLlmClient,
  type LlmClient,
  validateOutput,
} from "../core/llm/index.ts";
import { instantReply, startFakeLlm } from "../tests/support/fake-llm.ts";
import { timeBigReply } from "./support/big-reply.ts";

const iterations = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200);
const http = process.argv.includes("--http");
const replyOnly = process.argv.includes("--reply-only");
const fixture = path.resolve(import.meta.dir, "../tests/fixtures/appworld_online_trained_playbook.txt");
const content = await Bun.file(fixture).text();
const trace = "Step 1: called apis.spotify.login. Step 2: listed playlists page 0 only. ".repeat(25);
const outcomes: OutcomeInput[] = [1, 2, 3, 4, 5].map((n) => ({
  id: `o${n}`,
  task_description: `Task ${n}: move every song of my liked playlist into a new playlist`,
  outcome: n % 2 ? "failure" : "success",
  reasoning_trace: trace,
  notes: null,
  bullets_used: n <= 2 ? ["shr-00001", "api-00004", "psw-00007"] : null,
}));
// Serial calls, so that the summed time spent awaiting the LLM can be subtracted from wall time.
const options = {
  maxContentBytes: 200_000,
  tokenBudget: 40_000,
  reflectorConcurrency: 1,
  curatorConcurrency: 1,
};

let llmMs = 0;
const models = { reflector: "gpt-4o-mini", curator: "gpt-4o-mini" };
const stub: LlmClient = {
  models,
  generate: async (request) => {
    // Only producing the reply stands in for the model; parsing and validating it is ours.
    const start = performance.now();
    const reply = instantReply({ model: models[request.role], messages: request.messages });
    llmMs += performance.now() - start;
    const checked = validateOutput(reply, request.schema);
    if (!checked.ok) throw new Error(checked.error);
    return { value: checked.value, usage: [] };
  },
};

async function httpClient(): Promise<{ llm: LlmClient; stop: () => Promise<void> }> {
  const fake = await startFakeLlm({ instant: true });
  const real = createLlmClient({
    baseURL: fake.baseURL,
    apiKey: "bench",
    models,
    timeoutMs: 5_000,
    maxAttempts: 1,
  });
  const llm: LlmClient = {
    models,
    generate: async (request) => {
      const start = performance.now();
      try {
        return await real.generate(request);
      } finally {
        llmMs += performance.now() - start;
      }
    },
  };
  return { llm, stop: fake.stop };
}

async function once(llm: LlmClient): Promise<number> {
  llmMs = 0;
  const start = performance.now();
  await evolvePlaybook(content, outcomes, llm, options);
  return performance.now() - start - llmMs;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const fmt = (ms: number) => ms.toFixed(2);

async function overhead(): Promise<void> {
  const loadStart = performance.now();
  countTokens("warm up the tokenizer");
  const tokenizerLoadMs = performance.now() - loadStart;
  const { llm, stop } = http ? await httpClient() : { llm: stub, stop: async () => {} };
  const cold = await once(llm);
  for (let i = 0; i < 5; i++) await once(llm);
  // Warm: the worker's steady state, where successive versions share almost all lines and the
  // per-line token cache answers for them. New playbook: lines unseen, but the words (token
  // pieces) already met in other playbooks. Cold: both caches emptied (a fresh worker process).
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await once(llm));
  const sampleWith = async (scope: "lines" | "all") => {
    const runs: number[] = [];
    for (let i = 0; i < Math.min(iterations, 50); i++) {
      clearTokenCache(scope);
      runs.push(await once(llm));
    }
    return runs.sort((a, b) => a - b);
  };
  const newPlaybookSamples = await sampleWith("lines");
  const coldSamples = await sampleWith("all");
  await stop();
  samples.sort((a, b) => a - b);

  console.log(
    `engine overhead, 359-bullet fixture (${content.length} chars), 5 outcomes, ${http ? "HTTP fake + SDK" : "in-process stub"}`,
  );
  console.log(`iterations: ${iterations}`);
  console.log(
    `warm token cache: p50 ${fmt(percentile(samples, 50))} ms, p99 ${fmt(percentile(samples, 99))} ms`,
  );
  console.log(
    `new playbook, known words (${newPlaybookSamples.length} runs): p50 ${fmt(percentile(newPlaybookSamples, 50))} ms, p99 ${fmt(percentile(newPlaybookSamples, 99))} ms`,
  );
  console.log(
    `cold token caches (${coldSamples.length} runs): p50 ${fmt(percentile(coldSamples, 50))} ms, p99 ${fmt(percentile(coldSamples, 99))} ms`,
  );
  console.log(`first run (cold JIT and token cache): ${fmt(cold)} ms`);
  console.log(`tokenizer load (once per process): ${fmt(tokenizerLoadMs)} ms`);
}

/** A few evolutions per reply size, after one warm-up; p50 and worst, with what applied. */
async function bigReplies(): Promise<void> {
  await timeBigReply(content, 500, options);
  for (const size of [5_000, 10_000]) {
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await timeBigReply(content, size, options));
    const times = runs.map((r) => r.ms).sort((a, b) => a - b);
    const { applied, refused } = runs[0]!;
    console.log(
      `${size}-operation Curator reply (${applied} applied, ${refused} refused): p50 ${fmt(percentile(times, 50))} ms, worst ${fmt(times.at(-1) ?? 0)} ms (${runs.length} runs)`,
    );
  }
}

if (!replyOnly) await overhead();
await bigReplies();
