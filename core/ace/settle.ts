import { isLlmError } from "../llm/errors.ts";
import type { StructuredResult, UsageEntry } from "../llm/types.ts";

/**
 * Runs `task` over the items with at most `limit` in flight and waits for all of them, even after
 * a failure, so the usage of every call that finished is known. Results keep the items' order;
 * their usage is appended to `usage` in that order. Rethrows the first failure (by item order).
 */
export async function settleInOrder<I, T>(
  items: readonly I[],
  limit: number,
  task: (item: I) => Promise<StructuredResult<T>>,
  usage: UsageEntry[],
): Promise<T[]> {
  const results: PromiseSettledResult<StructuredResult<T>>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await task(items[index] as I) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  let failure: unknown = null;
  const values: T[] = [];
  for (const result of results) {
    if (result.status === "fulfilled") {
      usage.push(...result.value.usage);
      values.push(result.value.value);
    } else {
      if (isLlmError(result.reason)) usage.push(...result.reason.usage);
      failure ??= result.reason;
    }
  }
  if (failure !== null) throw failure;
  return values;
}
