/**
 * Group commit for a hot statement: calls for one key that arrive while `maxInFlight` runs of
 * that key are on their way to the database wait, and go together as the next run. Under load
 * one statement then does the work of many (one round trip, one commit, one update of a shared
 * row), while a lone call runs at once, as it would without this.
 *
 * `run` gets the waiting items in arrival order and must answer one result per item, in the same
 * order; if it throws, every call of that run is rejected with the error. Nothing is retried here.
 */
export function createGroupCommit<Item, Result>(
  run: (key: string, items: Item[]) => Promise<Result[]>,
  options: { maxInFlight?: number; maxBatch?: number } = {},
): (key: string, item: Item) => Promise<Result> {
  const maxInFlight = options.maxInFlight ?? 1;
  const maxBatch = options.maxBatch ?? 1000;
  interface Waiting {
    item: Item;
    resolve(result: Result): void;
    reject(error: unknown): void;
  }
  const queues = new Map<string, { waiting: Waiting[]; running: number }>();

  const pump = (key: string, queue: { waiting: Waiting[]; running: number }) => {
    while (queue.running < maxInFlight && queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0, maxBatch);
      queue.running++;
      void settle(key, batch).finally(() => {
        queue.running--;
        if (queue.running === 0 && queue.waiting.length === 0) queues.delete(key);
        else pump(key, queue);
      });
    }
  };

  const settle = async (key: string, batch: Waiting[]) => {
    try {
      const results = await run(
        key,
        batch.map((w) => w.item),
      );
      if (results.length !== batch.length) throw new Error("group commit: one result per item expected");
      for (const [i, w] of batch.entries()) w.resolve(results[i] as Result);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };

  return (key, item) =>
    new Promise<Result>((resolve, reject) => {
      let queue = queues.get(key);
      if (!queue) {
        queue = { waiting: [], running: 0 };
        queues.set(key, queue);
      }
      queue.waiting.push({ item, resolve, reject });
      pump(key, queue);
    });
}
