import { countLineTokens, countTextTokensByLine } from "../llm/tokens.ts";
import type { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { renderBullet } from "./format.ts";
import { bulletNumber } from "./ids.ts";
import { type ChangeEntry, entry } from "./operations/types.ts";
import type { LocatedBullet } from "./types.ts";
import { byteLength } from "./validate.ts";

export interface CollapseOptions {
  /** Largest share of the base bullets one evolution may remove (0–1). */
  maxRemovalShare: number;
  /** Removals always allowed regardless of share, so small playbooks can still be pruned. */
  collapseMinRemovals: number;
}

/**
 * Collapse guard: throws EngineError `collapse_guard` (permanent) when the curator's candidate
 * drops more base bullets (REMOVE and MERGE sources) than the configured share allows.
 */
export function assertNoCollapse(baseIds: readonly string[], draft: Draft, options: CollapseOptions): void {
  const removed = baseIds.filter((id) => !draft.get(id)).length;
  const allowed = Math.max(options.collapseMinRemovals, Math.floor(baseIds.length * options.maxRemovalShare));
  if (removed <= allowed) return;
  const share = Math.round((removed / baseIds.length) * 100);
  throw new EngineError(
    "collapse_guard",
    `Rejected: the curator proposed removing ${removed} of ${baseIds.length} bullets (${share}%) in one evolution; ` +
      `at most ${allowed} (${Math.round(options.maxRemovalShare * 100)}%) may go at once. The playbook was left unchanged.`,
    { details: { removed, base_count: baseIds.length, allowed } },
  );
}

/** Pruning order: lowest net score, then never helpful, then oldest (lowest number), then id. */
export function pruneOrder(a: LocatedBullet, b: LocatedBullet): number {
  const net = a.helpful - a.harmful - (b.helpful - b.harmful);
  if (net !== 0) return net;
  const neverHelpful = Number(b.helpful === 0) - Number(a.helpful === 0);
  if (neverHelpful !== 0) return neverHelpful;
  const age =
    (bulletNumber(a.id) ?? Number.MAX_SAFE_INTEGER) - (bulletNumber(b.id) ?? Number.MAX_SAFE_INTEGER);
  return age !== 0 ? age : a.id.localeCompare(b.id);
}

export interface BudgetOptions {
  tokenBudget: number;
  maxContentBytes: number;
}

/**
 * Removes whole bullets in `pruneOrder` until the draft fits the token budget and the size limit;
 * text is never truncated. Logs one PRUNE entry per bullet. Throws EngineError
 * `playbook_too_large`, before removing anything, when the text outside bullets alone is over
 * the budget or the limit: pruning every bullet would not help.
 */
export function pruneToBudget(draft: Draft, options: BudgetOptions): ChangeEntry[] {
  const text = draft.render();
  let tokens = countTextTokensByLine(text);
  let bytes = byteLength(text);
  const log: ChangeEntry[] = [];
  const fits = () => tokens <= options.tokenBudget && bytes <= options.maxContentBytes;
  if (fits()) return log;
  const bullets = draft.bullets();
  const lines = bullets.map((bullet) => renderBullet(bullet));
  const outsideTokens = tokens - lines.reduce((sum, line) => sum + countLineTokens(line) + 1, 0);
  const outsideBytes = bytes - lines.reduce((sum, line) => sum + byteLength(line) + 1, 0);
  if (outsideTokens > options.tokenBudget || outsideBytes > options.maxContentBytes) {
    throw new EngineError(
      "playbook_too_large",
      `The playbook's text outside its bullets (${outsideTokens} tokens, ${outsideBytes} bytes) is over the ` +
        `budget of ${options.tokenBudget} tokens or the limit of ${options.maxContentBytes} bytes even ` +
        "without any bullet. Shorten that text.",
    );
  }
  for (const bullet of bullets.sort(pruneOrder)) {
    if (fits()) break;
    const line = renderBullet(bullet);
    const reason = `over budget (${tokens} tokens / ${options.tokenBudget}, ${bytes} bytes / ${options.maxContentBytes})`;
    log.push(
      entry({
        op: "PRUNE",
        status: "applied",
        source: "budget",
        bulletIds: [bullet.id],
        before: [draft.snapshot(bullet.id)],
        reason,
      }),
    );
    draft.remove(bullet.id);
    tokens -= countLineTokens(line) + 1;
    bytes -= byteLength(line) + 1;
  }
  if (byteLength(draft.render()) > options.maxContentBytes) {
    throw new EngineError(
      "playbook_too_large",
      `The playbook's text outside its bullets exceeds the size limit of ${options.maxContentBytes} bytes.`,
    );
  }
  return log;
}
