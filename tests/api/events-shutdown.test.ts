import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startPlatform } from "../support/process.ts";
import { openEventStream } from "../support/sse.ts";

/** Issue 14: an open live-event stream must not hold up the real process's shutdown (boot/run.ts). */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("shutdown with open event streams", () => {
  test("SIGTERM ends every stream with event: end and the process exits 0 promptly", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ace-events-shutdown-"));
    chmodSync(dataDir, 0o755);
    dirs.push(dataDir);
    const run = startPlatform({
      DATA_DIR: dataDir,
      PORT: "0",
      SHUTDOWN_TIMEOUT_SECONDS: "30",
      WORKER_MODE: "off",
    });
    try {
      const base = String((await run.waitFor("ready", 60_000)).url);
      const session = (await (
        await fetch(`${base}/v1/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: "live@example.com", password: "a long passphrase" }),
        })
      ).json()) as { access_token: string };
      const auth = { authorization: `Bearer ${session.access_token}` };
      const streams = [];
      for (let i = 0; i < 2; i++) {
        const { url } = (await (
          await fetch(`${base}/v1/events/tokens`, { method: "POST", headers: auth })
        ).json()) as {
          url: string;
        };
        const stream = await openEventStream(`${base}${url}`);
        await stream.waitFor((e) => e.event === "ready");
        streams.push(stream);
      }
      const started = Date.now();
      run.proc.kill("SIGTERM");
      expect(await run.proc.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const stream of streams) {
        await stream.closed;
        expect(stream.events.at(-1)).toMatchObject({ event: "end", data: { reason: "shutdown" } });
      }
    } finally {
      run.proc.kill("SIGKILL");
    }
  }, 90_000);
});
