import type { DatabaseTransactionConnection } from "slonik";
import { AppError } from "../errors.ts";
import { playbookArchived } from "../playbooks/errors.ts";
import { consume, peekRateLimit, type RateRule, rateKeys, rateLimitedError } from "../rate-limit/index.ts";
import { countPendingOutcomes, findActiveJob, type JobRow } from "./queries.ts";
import type { EvolveNowBlock } from "./schemas.ts";

/** The rules of "evolve now" that come from the process, bound in createCore. */
export interface EvolveNowRules {
  rateRule?: RateRule;
  /** False when no LLM provider is configured: an evolution could only fail. Default true. */
  llmConfigured?: boolean;
}

export type EvolveNowCheck =
  | { ok: true }
  | { ok: false; reason: "already_running"; active: JobRow; message: string; availableAt: null }
  | {
      ok: false;
      reason: Exclude<EvolveNowBlock, "already_running">;
      error: AppError;
      message: string;
      availableAt: Date | null;
    };

const blocked = (
  reason: Exclude<EvolveNowBlock, "already_running">,
  error: AppError,
  availableAt: Date | null = null,
) => ({ ok: false, reason, error, message: error.message, availableAt }) as const;

export const llmNotConfigured = () =>
  new AppError(
    "unavailable",
    "Evolutions are off on this server: no LLM provider is configured. The operator must set OPENAI_API_KEY (or OPENAI_BASE_URL).",
    { details: { reason: "llm_not_configured" } },
  );

/**
 * Whether the caller's playbook can be evolved now, and if not why and until when: the one set of
 * checks behind both the manual trigger (`mode: "spend"`, which counts the trigger against the
 * rate limit once everything else passes) and the dashboard's availability (`mode: "peek"`, which
 * counts nothing). In order: archived, an evolution already queued or running, no LLM configured,
 * no pending outcomes, the per-playbook trigger limit. Runs in the caller's transaction; the
 * playbook's ownership was checked already.
 */
export async function checkEvolveNow(
  tx: DatabaseTransactionConnection,
  playbook: { id: string; status: string },
  rules: EvolveNowRules,
  mode: "spend" | "peek",
  now = new Date(),
): Promise<EvolveNowCheck> {
  if (playbook.status === "archived") return blocked("archived", playbookArchived());
  const active = await findActiveJob(tx, playbook.id);
  if (active) {
    return {
      ok: false,
      reason: "already_running",
      active,
      message: `An evolution of this playbook is already ${active.status}; wait for it to finish.`,
      availableAt: null,
    };
  }
  if (rules.llmConfigured === false) return blocked("llm_not_configured", llmNotConfigured());
  if ((await countPendingOutcomes(tx, playbook.id)) === 0) {
    return blocked(
      "nothing_pending",
      new AppError(
        "conflict",
        "Nothing to evolve from: this playbook has no unprocessed outcomes. Report outcomes first.",
        { details: { reason: "no_pending_outcomes" } },
      ),
    );
  }
  if (rules.rateRule) {
    const key = rateKeys.evolutions(playbook.id);
    const result =
      mode === "spend"
        ? await consume(tx, key, rules.rateRule, now)
        : await peekRateLimit(tx, key, rules.rateRule, now);
    if (!result.allowed) {
      return blocked(
        "rate_limited",
        rateLimitedError(result, "evolution triggers"),
        new Date(now.getTime() + result.retryAfterSeconds * 1000),
      );
    }
  }
  return { ok: true };
}
