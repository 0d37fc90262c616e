import { asAppError } from "../errors.ts";
import { isLlmError, type LlmClient, type UsageEntry } from "../llm/index.ts";
import { observeRateLimits } from "../rate-limit/observe.ts";
import {
  authFailures,
  evolutionDuration,
  evolutionRuns,
  evolutionsTriggered,
  httpDuration,
  httpRequests,
  llmCalls,
  llmCost,
  llmDuration,
  llmErrors,
  llmTokens,
  outcomesRecorded,
  rateLimitRefusals,
} from "./registry.ts";

/** The recording side of the metrics: one small function per event, called where it happens. */

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * One answered request. `route` is the matched route template (`/v1/playbooks/:id`), or
 * undefined when no route matched: that is labelled `unmatched`, never the path, so scanning
 * for random URLs cannot grow the series.
 */
export function recordHttpRequest(
  method: string,
  route: string | undefined,
  status: number,
  seconds: number,
) {
  const labels = { method: METHODS.has(method) ? method : "OTHER", route: route ?? "unmatched" };
  httpRequests.inc({ ...labels, status: String(status) });
  httpDuration.observe(labels, seconds);
}

export const recordOutcome = (outcome: "success" | "failure" | "partial") =>
  outcomesRecorded.inc({ outcome });

export const recordEvolutionTriggered = (trigger: "manual" | "threshold" | "schedule") =>
  evolutionsTriggered.inc({ trigger });

const RUN_RESULT = { completed: "succeeded", failed: "failed", skipped: "skipped" } as const;

/** Times one evolution attempt and counts its result; a thrown error is an attempt the queue retries. */
export async function observeEvolutionRun<T extends keyof typeof RUN_RESULT>(
  run: () => Promise<T>,
): Promise<T> {
  const end = evolutionDuration.startTimer();
  try {
    const outcome = await run();
    const result = RUN_RESULT[outcome];
    evolutionRuns.inc({ result });
    end({ result });
    return outcome;
  } catch (error) {
    evolutionRuns.inc({ result: "retrying" });
    end({ result: "retrying" });
    throw error;
  }
}

function recordUsage(model: string, role: string, usage: readonly UsageEntry[]): void {
  for (const entry of usage) {
    llmTokens.inc({ model, role, type: "prompt" }, entry.promptTokens);
    llmTokens.inc({ model, role, type: "completion" }, entry.completionTokens);
    llmCost.inc({ model, role }, Number(entry.costUsd));
  }
}

/**
 * The same client, measured: every structured request's result, duration, error kind, tokens
 * and cost, labelled by role and the model configured for it (the provider's reply names a
 * dated variant; the configured name keeps the label set closed). Tokens of failed requests
 * count too: the provider bills them.
 */
export function instrumentLlm(client: LlmClient): LlmClient {
  return {
    models: client.models,
    async generate(request) {
      const labels = { model: client.models[request.role], role: request.role };
      const end = llmDuration.startTimer(labels);
      try {
        const result = await client.generate(request);
        llmCalls.inc({ ...labels, result: "ok" });
        recordUsage(labels.model, labels.role, result.usage);
        return result;
      } catch (error) {
        llmCalls.inc({ ...labels, result: "error" });
        llmErrors.inc({ ...labels, kind: isLlmError(error) ? error.kind : "unknown" });
        if (isLlmError(error)) recordUsage(labels.model, labels.role, error.usage);
        throw error;
      } finally {
        end();
      }
    },
  };
}

/**
 * Counts an `unauthenticated` failure of `attempt` by its `details.reason` (a closed set written
 * in core), or `fallback` when it has none, and rethrows.
 */
export async function countingAuthFailures<T>(attempt: Promise<T>, fallback: string): Promise<T> {
  try {
    return await attempt;
  } catch (error) {
    const known = asAppError(error);
    if (known?.code === "unauthenticated") {
      const reason = known.details?.reason;
      authFailures.inc({ reason: typeof reason === "string" ? reason : fallback });
    }
    throw error;
  }
}

export const recordAccountLockoutRefusal = () => rateLimitRefusals.inc({ limit: "account_lockout" });

/** Bucket-key prefixes (core/rate-limit/keys.ts) → the limit's label; the subject (IP, id) never shows. */
const LIMITS: Record<string, string> = {
  "login:ip": "login_per_ip",
  "register:ip": "register_per_ip",
  "outcomes:user": "outcomes_per_user",
  "evolutions:playbook": "evolutions_per_playbook",
};
const limitName = (key: string) => LIMITS[key.split(":").slice(0, 2).join(":")] ?? "other";

observeRateLimits((key, result) => {
  if (!result.allowed) rateLimitRefusals.inc({ limit: limitName(key) });
});
