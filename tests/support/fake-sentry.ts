/**
 * A fake Sentry ingest server: the SDK, given a DSN pointing here, posts its envelopes to
 * `/api/<project>/envelope/`. Each envelope is kept raw (for "no secret anywhere" checks) and
 * its event items parsed. Sentry's network is outside our control, so this is the one fake.
 */
export interface FakeSentry {
  dsn: string;
  /** Every envelope body received, decompressed. */
  raw: string[];
  /** The event items of all envelopes. */
  events(): Array<Record<string, unknown> & { tags?: Record<string, string> }>;
  stop(): void;
}

export function startFakeSentry(): FakeSentry {
  const raw: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const body = new Uint8Array(await request.arrayBuffer());
      const gzipped = request.headers.get("content-encoding") === "gzip";
      raw.push(new TextDecoder().decode(gzipped ? Bun.gunzipSync(body) : body));
      return Response.json({});
    },
  });
  const events = () =>
    raw.flatMap((envelope) => {
      const lines = envelope.split("\n").filter(Boolean);
      const items: Array<Record<string, unknown>> = [];
      for (let i = 1; i + 1 < lines.length; i += 2) {
        if (JSON.parse(lines[i]!).type === "event") items.push(JSON.parse(lines[i + 1]!));
      }
      return items;
    });
  return {
    dsn: `http://0123456789abcdef@127.0.0.1:${server.port}/42`,
    raw,
    events,
    stop: () => server.stop(true),
  };
}
