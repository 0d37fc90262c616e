/**
 * Token economics of one evolution, from real prompts: builds the exact Reflector and Curator
 * requests the engine sends (prompts, delimiters, playbook, stats) for playbooks of ~20, ~100 and
 * 359 bullets (cut from the AppWorld fixture) and traces of 2 KB and 10 KB, counts them with
 * js-tiktoken (o200k_base), prices them from core/llm/prices.ts, and writes docs/TOKEN_ECONOMICS.md.
 * `bun bench/tokens.ts`
 */
import path from "node:path";
import {
  ACE_CORE_VERSION,
  buildCuratorRequest,
  buildReflectorRequest,
  DEFAULT_EVOLVE_OPTIONS,
  listBullets,
  type OutcomeInput,
  parsePlaybook,
  playbookStats,
  renderPlaybook,
} from "../core/ace/index.ts";
import { computeCostUsd, estimatePromptTokens, resolvePrice } from "../core/llm/index.ts";

const OUTCOMES_PER_EVOLUTION = 5;
// Completion sizes are estimates (no model was called): a reflection of five short fields plus
// tags, and a curator reply of reasoning plus a handful of ops.
const REFLECTOR_COMPLETION = 450;
const CURATOR_COMPLETION = 700;
const MODELS = [
  "gpt-4.1-nano",
  "gpt-4o-mini",
  "gpt-5-mini",
  "gpt-4.1-mini",
  "gemini-2.5-flash",
  "gpt-4.1",
  "claude-sonnet-4-5",
];

interface Row {
  bullets: number;
  traceBytes: number;
  reflectorPrompt: number;
  reflectorPromptWithUsed: number;
  curatorPrompt: number;
  prompt: number;
  completion: number;
  costs: Record<string, string>;
}

const fixture = await Bun.file(
  path.resolve(import.meta.dir, "../tests/fixtures/appworld_online_trained_playbook.txt"),
).text();

/** The fixture with only its first `n` bullets (all headers kept). */
function cut(n: number): string {
  let kept = 0;
  const lines = parsePlaybook(fixture).lines.filter((line) => line.kind !== "bullet" || kept++ < n);
  return renderPlaybook({ lines });
}

function trace(bytes: number): string {
  const step =
    "Step: called apis.spotify.show_playlist_library(access_token=token, page_index=0) -> 20 playlists; " +
    "checked song titles against the note file, normalised 'Title by Artist' to 'Title'. ";
  return step.repeat(Math.ceil(bytes / step.length)).slice(0, bytes);
}

const options = { ...DEFAULT_EVOLVE_OPTIONS, tokenBudget: 40_000 };
const rows: Row[] = [];
for (const size of [20, 100, 359]) {
  const playbook = parsePlaybook(cut(size));
  const bullets = listBullets(playbook);
  for (const traceBytes of [2_048, 10_240]) {
    const outcome: OutcomeInput = {
      id: "o",
      task_description: "Move every liked song into a new playlist named 'Liked'.",
      outcome: "failure",
      reasoning_trace: trace(traceBytes),
      notes: "Stopped after the first page.",
      bullets_used: null,
    };
    const reflectorPrompt = estimatePromptTokens(buildReflectorRequest(bullets, outcome, options).messages);
    const withUsed = estimatePromptTokens(
      buildReflectorRequest(
        bullets,
        { ...outcome, bullets_used: bullets.slice(0, 3).map((b) => b.id) },
        options,
      ).messages,
    );
    const reflection = {
      reasoning: "r".repeat(600),
      error_identification: "e".repeat(200),
      root_cause_analysis: "c".repeat(300),
      correct_approach: "a".repeat(300),
      key_insight: "k".repeat(250),
      bullet_tags: [],
    };
    const group = Array.from({ length: OUTCOMES_PER_EVOLUTION }, () => ({ outcome, reflection }));
    const text = renderPlaybook(playbook, { withCounters: true });
    const curatorPrompt = estimatePromptTokens(
      buildCuratorRequest(text, playbookStats(playbook), group, options).messages,
    );
    const prompt = OUTCOMES_PER_EVOLUTION * reflectorPrompt + curatorPrompt;
    const completion = OUTCOMES_PER_EVOLUTION * REFLECTOR_COMPLETION + CURATOR_COMPLETION;
    const costs = Object.fromEntries(
      MODELS.map((m) => [m, computeCostUsd(resolvePrice(m).price, prompt, completion)]),
    );
    rows.push({
      bullets: bullets.length,
      traceBytes,
      reflectorPrompt,
      reflectorPromptWithUsed: withUsed,
      curatorPrompt,
      prompt,
      completion,
      costs,
    });
  }
}

const out = path.resolve(import.meta.dir, "../docs/TOKEN_ECONOMICS.md");
await Bun.write(out, renderReport(rows));
console.log(
  `wrote ${path.relative(process.cwd(), out)} (${rows.length} scenarios × ${MODELS.length} models)`,
);

function usd(cost: string | undefined, digits = 4): string {
  return `$${Number(cost ?? 0).toFixed(digits)}`;
}

function priceLine(model: string): string {
  const { price } = resolvePrice(model);
  return `| ${model} | $${price.inputMicroUsdPerM / 1e6} | $${price.outputMicroUsdPerM / 1e6} |`;
}

function renderReport(data: Row[]): string {
  const kb = (bytes: number) => `${bytes / 1024} KB`;
  const sizes = data.map(
    (r) =>
      `| ${r.bullets} | ${kb(r.traceBytes)} | ${r.reflectorPrompt} | ${r.reflectorPromptWithUsed} | ${r.curatorPrompt} | ${r.prompt} | ${r.completion} |`,
  );
  const costs = data.map(
    (r) => `| ${r.bullets} | ${kb(r.traceBytes)} | ${MODELS.map((m) => usd(r.costs[m])).join(" | ")} |`,
  );
  const big = data.find((r) => r.bullets === 359 && r.traceBytes === 10_240)!;
  const small = data.find((r) => r.bullets === 20 && r.traceBytes === 2_048)!;
  const mini = "gpt-4.1-mini";
  const bigMini = Number(big.costs[mini]);
  const typical = Number(data.find((r) => r.bullets === 100 && r.traceBytes === 2_048)?.costs[mini]);
  const QUOTA = 300;
  const PLAN = 29;
  return `# Token economics of one evolution

Generated by \`bun run bench:tokens\` (\`bench/tokens.ts\`); do not edit by hand. Engine \`${ACE_CORE_VERSION}\`.

One evolution = one Reflector call per outcome (${OUTCOMES_PER_EVOLUTION} outcomes here) + one Curator call over all
reflections (groups of ${DEFAULT_EVOLVE_OPTIONS.curatorGroupSize}, so one call for ${OUTCOMES_PER_EVOLUTION}). Playbooks are the first N bullets of the AppWorld
online-trained fixture (all section headers kept); traces are synthetic agent logs of 2 KB and 10 KB.

**Measured vs estimated.** Prompt tokens are *measured*: the exact messages the engine builds
(system prompt, delimited task/trace/notes, bullets, stats, reflections), counted with the
platform's counter (js-tiktoken o200k_base; runs of over 32 characters without whitespace are
counted in slices, a few tokens high) plus OpenAI's per-message framing. Other tokenizers
(Claude, Gemini) differ by roughly ±15%. The json_schema the provider adds to the prompt (~100–200 tokens) is not included.
Completion tokens are *estimates*: ${REFLECTOR_COMPLETION} per reflection, ${CURATOR_COMPLETION} per curation (no model was called).
Reasoning models (gpt-5-mini) also bill hidden reasoning tokens as output; expect their real cost
to be 1.5–3× the figure below. Real spend is recorded per call from the provider's \`usage\`.

When the agent does not report which bullets it used, the Reflector sees the playbook up to
${options.reflectorPlaybookTokens} tokens (\`reflectorPlaybookTokens\`); the first table assumes that worst case, the
"with bullets_used" column shows the saving when agents report 3 bullets.

## Tokens per call and per evolution

| bullets | trace | Reflector prompt | … with bullets_used | Curator prompt | evolution prompt | evolution completion (est.) |
|---:|---:|---:|---:|---:|---:|---:|
${sizes.join("\n")}

## Cost per evolution (USD, list prices)

| bullets | trace | ${MODELS.join(" | ")} |
|---:|---:|${MODELS.map(() => "---:").join("|")}|
${costs.join("\n")}

Prices used (USD per 1M tokens, from \`core/llm/prices.ts\`):

| model | input | output |
|---|---:|---:|
${MODELS.map(priceLine).join("\n")}

## Pricing recommendation

- Cost is dominated by prompt tokens, and those by the playbook: the Curator reads the whole
  playbook every evolution, and each Reflector reads up to ${options.reflectorPlaybookTokens} tokens of it. The token budget
  (default ${DEFAULT_EVOLVE_OPTIONS.tokenBudget} tokens) therefore caps the cost of an evolution as well as the playbook.
- With a small model (${mini}) an evolution costs between ${usd(small.costs[mini])} (20 bullets, 2 KB traces) and
  ${usd(big.costs[mini])} (359 bullets, 10 KB traces). With a frontier model (gpt-4.1, Claude Sonnet) it is 5–8× that.
- **Recommendation: a flat subscription with an included evolution quota, on a small default
  model**, rather than metered per-evolution billing (per-evolution amounts of 1–3 cents are
  below what card fees make sensible to bill one by one). A playbook evolving every 5 outcomes at
  ~50 outcomes a day runs ~${QUOTA} evolutions a month: ${usd(String(typical * QUOTA), 2)} of tokens for a 100-bullet playbook
  with 2 KB traces and ${usd(String(bigMini * QUOTA), 2)} at the top of the range (359 bullets, 10 KB traces) on ${mini}.
  A plan at $${PLAN}/month including ${QUOTA} evolutions keeps a ${(PLAN / (bigMini * QUOTA)).toFixed(1)}× margin in the worst case and
  ${(PLAN / (typical * QUOTA)).toFixed(1)}× typically; charge overage per 100 evolutions at 3× the worst-case token cost
  (≈ ${usd(String(bigMini * 100 * 3), 2)}). Users choosing a frontier model should bring their own key or pay overage at that
  model's rate, since one evolution can then cost ${usd(big.costs["claude-sonnet-4-5"])}.
- Users see real spend per evolution (recorded from the provider's usage), so the quota can be
  expressed in dollars later without changing the engine.
`;
}
