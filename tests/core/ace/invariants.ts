import { expect } from "bun:test";
import {
  addToCounter,
  type ChangeEntry,
  changeAllowance,
  Draft,
  type EvolveResult,
  isProven,
  type LocatedBullet,
  listBullets,
  parsePlaybook,
  renderPlaybook,
  validatePlaybookText,
} from "../../../core/ace/index.ts";
import { countTextTokensByLine } from "../../../core/llm/tokens.ts";
import { findUnstorableText } from "../../../core/storable-text.ts";

export interface Limits {
  tokenBudget: number;
  maxContentBytes: number;
  maxChangeShare?: number;
  minChangesAllowed?: number;
}

const byId = (text: string) => new Map(listBullets(parsePlaybook(text)).map((b) => [b.id, b]));

function emptySections(text: string): string[] {
  const empty: string[] = [];
  let current: string | null = null;
  let bullets = 0;
  const close = () => {
    if (current !== null && bullets === 0) empty.push(current);
  };
  for (const line of parsePlaybook(text).lines) {
    if (line.kind === "section") {
      close();
      current = line.name;
      bullets = 0;
    } else if (line.kind === "bullet") bullets += 1;
  }
  close();
  return empty;
}

/** Counters as the log's applied tags and merges say they should be, from the base. */
function expectedCounters(base: Map<string, LocatedBullet>, log: readonly ChangeEntry[]) {
  const counters = new Map([...base].map(([id, b]) => [id, { helpful: b.helpful, harmful: b.harmful }]));
  for (const e of log) {
    if (e.status !== "applied") continue;
    const id = e.bulletIds[0] ?? "";
    if (e.op === "TAG") {
      const c = counters.get(id)!;
      if (e.reason === "helpful") c.helpful = addToCounter(c.helpful, 1);
      else c.harmful = addToCounter(c.harmful, 1);
    } else if (e.op === "MERGE") {
      const sources = e.bulletIds.map((source) => counters.get(source)!);
      counters.set(id, {
        helpful: sources.reduce((sum, c) => addToCounter(sum, c.helpful), 0),
        harmful: sources.reduce((sum, c) => addToCounter(sum, c.harmful), 0),
      });
    } else if (e.op === "ADD") counters.set(id, { helpful: 0, harmful: 0 });
  }
  return counters;
}

/**
 * Every invariant of docs/ENGINE_INVARIANTS.md that can be read off one evolution's input and
 * result. Used by the hostile-reply tests and the property test.
 */
export function expectInvariants(baseText: string, result: EvolveResult, limits: Limits): void {
  const text = result.content;
  // The text validates and survives render → parse → render, also through a Draft.
  expect(validatePlaybookText(text, { maxBytes: limits.maxContentBytes })).toMatchObject({ ok: true });
  expect(renderPlaybook(parsePlaybook(text))).toBe(text);
  expect(new Draft(parsePlaybook(text)).render()).toBe(text);
  // Nothing Postgres cannot store, anywhere in the result.
  expect(findUnstorableText(result)).toBeNull();
  // No section header left empty, except those the base already had empty.
  const wasEmpty = new Set(emptySections(baseText));
  expect(emptySections(text).filter((name) => !wasEmpty.has(name))).toEqual([]);

  const base = byId(baseText);
  const after = byId(text);
  const log = result.operations;
  // Counters move only by the logged tags (and merges, which add up logged evidence): never down.
  // The change log agrees with the re-parsed result: each bullet's last logged state is its state.
  // (Problems are collected, then asserted once: 10,000 bullets make 10,000 expect() calls slow.)
  const expected = expectedCounters(base, log);
  const last = new Map<string, ChangeEntry>();
  for (const e of log) if (e.status === "applied" && e.after) last.set(e.after.id, e);
  const problems: string[] = [];
  for (const [id, bullet] of after) {
    const counters = expected.get(id);
    if (counters?.helpful !== bullet.helpful || counters.harmful !== bullet.harmful) {
      problems.push(
        `${id}: counters ${bullet.helpful}/${bullet.harmful}, log says ${JSON.stringify(counters)}`,
      );
    }
    const before = base.get(id);
    if (before && (bullet.helpful < before.helpful || bullet.harmful < before.harmful)) {
      problems.push(`${id}: a counter went down`);
    }
    const logged = last.get(id)?.after ?? before;
    const same =
      logged?.section === bullet.section &&
      logged.helpful === bullet.helpful &&
      logged.harmful === bullet.harmful &&
      logged.content === bullet.content;
    if (!same) problems.push(`${id}: last logged state ${JSON.stringify(logged)} differs from the text`);
  }
  expect(problems).toEqual([]);
  const gone = new Set(
    log
      .filter((e) => e.status === "applied" && ["REMOVE", "PRUNE", "MERGE"].includes(e.op))
      .flatMap((e) => (e.op === "MERGE" ? e.bulletIds.slice(1) : e.bulletIds)),
  );
  expect([...base.keys()].filter((id) => !after.has(id) && !gone.has(id))).toEqual([]);
  // No bullet with evidence of helping is lost to pruning; changes stay within the share.
  const pruned = log.filter((e) => e.status === "applied" && e.op === "PRUNE");
  expect(pruned.filter((e) => isProven(e.before[0]!)).map((e) => e.bulletIds[0])).toEqual([]);
  const changed = new Set(
    log
      .filter((e) => e.status === "applied" && ["UPDATE", "MERGE", "REMOVE", "PRUNE"].includes(e.op))
      .flatMap((e) => e.bulletIds),
  );
  const share = { maxChangeShare: 0.3, minChangesAllowed: 2, ...limits };
  expect(changed.size).toBeLessThanOrEqual(changeAllowance(base.size, share));
  // Within the budget (as the engine counts it), unless the log says pruning stopped at the share.
  const overBudget = countTextTokensByLine(text) > limits.tokenBudget;
  if (overBudget) expect(log.some((e) => e.op === "PRUNE" && e.status === "rejected")).toBe(true);
}
