/** A real HTTP client of a server-sent-events stream, for tests (what EventSource would see). */

export interface ReceivedEvent {
  event: string;
  data: Record<string, unknown>;
  at: number;
}

export interface EventStreamClient {
  response: Response;
  events: ReceivedEvent[];
  /** Comment lines received (": ping"). */
  comments: string[];
  /** Resolves when the server has closed the stream. */
  closed: Promise<void>;
  /** The first event matching, waiting up to `timeoutMs`. */
  waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  cancel(): Promise<void>;
}

export async function openEventStream(url: string): Promise<EventStreamClient> {
  const response = await fetch(url);
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const reader = response.body!.getReader();
  const closed = (async () => {
    if (!response.ok) return;
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) comments.push(line);
          else if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) events.push({ event, data: JSON.parse(data), at: Date.now() });
        for (const wake of waiters) wake();
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  return {
    response,
    events,
    comments,
    closed,
    waitFor: (match, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    cancel: () => reader.cancel().catch(() => {}),
  };
}
