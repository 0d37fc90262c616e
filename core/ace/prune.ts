import type { Draft } from "./draft.ts";
import { EngineError } from "./errors.ts";
import { renderBullet } from "./format.ts";
import { type ChangeLedger, type GuardOptions, lineSize, type Size, textSize } from "./ledger.ts";
import { type ChangeEntry, entry } from "./operations/types.ts";

const fits = (size: Size, options: GuardOptions) =>
  size.tokens <= options.tokenBudget && size.bytes <= options.maxContentBytes;

function assertBulletsCanFit(draft: Draft, size: Size, options: GuardOptions): void {
  const bullets = draft.bullets().map((b) => lineSize(renderBullet(b)));
  const outside = bullets.reduce(
    (rest, b) => ({ tokens: rest.tokens - b.tokens, bytes: rest.bytes - b.bytes }),
    size,
  );
  if (outside.tokens <= options.tokenBudget && outside.bytes <= options.maxContentBytes) return;
  throw new EngineError(
    "playbook_too_large",
    `The playbook's text outside its bullets (${outside.tokens} tokens, ${outside.bytes} bytes) is over the ` +
      `budget of ${options.tokenBudget} tokens or the limit of ${options.maxContentBytes} bytes even ` +
      "without any bullet. Shorten that text.",
  );
}

/**
 * Removes whole bullets in `pruneOrder` until the draft fits the token budget and the size limit;
 * text is never truncated. Only bullets the evolution did not change are candidates, and at most
 * the ledger's remaining share of them, except that the size limit (which a stored version must
 * meet) may take more. Logs one PRUNE entry per bullet, and a refused PRUNE when the playbook
 * stays over its token budget. Throws EngineError `playbook_too_large`, before removing anything,
 * when the text outside bullets alone is over the budget or the limit.
 */
export function pruneToBudget(ledger: ChangeLedger): ChangeEntry[] {
  const { draft, options } = ledger;
  let size = textSize(draft.render());
  const log: ChangeEntry[] = [];
  if (fits(size, options)) return log;
  assertBulletsCanFit(draft, size, options);
  for (const bullet of ledger.pruneCandidates()) {
    if (fits(size, options)) break;
    const withinShare = ledger.remaining > 0;
    if (!withinShare && size.bytes <= options.maxContentBytes) break;
    const reason =
      `over budget (${size.tokens} tokens / ${options.tokenBudget}, ${size.bytes} bytes / ${options.maxContentBytes})` +
      (withinShare ? "" : "; the size limit of a stored version overrides the change share");
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
    const freed = lineSize(renderBullet(bullet));
    draft.remove(bullet.id);
    ledger.changed.add(bullet.id);
    size = { tokens: size.tokens - freed.tokens, bytes: size.bytes - freed.bytes };
  }
  size = textSize(draft.render());
  if (size.bytes > options.maxContentBytes) {
    throw new EngineError(
      "playbook_too_large",
      `The playbook's text outside its bullets exceeds the size limit of ${options.maxContentBytes} bytes.`,
    );
  }
  if (size.tokens > options.tokenBudget) log.push(staysOverBudget(ledger, size));
  return log;
}

function staysOverBudget(ledger: ChangeLedger, size: Size): ChangeEntry {
  return entry({
    op: "PRUNE",
    status: "rejected",
    source: "budget",
    rejection:
      `the playbook stays at ${size.tokens} tokens, over its budget of ${ledger.options.tokenBudget}: pruning more ` +
      `would change more than ${ledger.allowance} of its ${ledger.baseCount} bullets in one evolution ` +
      "(the next evolutions continue)",
  });
}
