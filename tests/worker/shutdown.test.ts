import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eventually } from "../support/evolution.ts";
import { reply, startFakeLlm } from "../support/fake-llm.ts";
import { startPlatform } from "../support/process.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function post(base: string, route: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return response.json();
}

describe("shutdown", () => {
  test("past SHUTDOWN_TIMEOUT_SECONDS with an evolution stuck in the LLM, Postgres is still stopped", async () => {
    const fake = await startFakeLlm({ instant: true });
    fake.script(reply.hang());
    const dataDir = mkdtempSync(path.join(tmpdir(), "ace-shutdown-"));
    chmodSync(dataDir, 0o755);
    dirs.push(dataDir);
    const run = startPlatform({
      DATA_DIR: dataDir,
      PORT: "0",
      SHUTDOWN_TIMEOUT_SECONDS: "1",
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: "test",
      EVOLUTION_OUTCOME_THRESHOLD: "1",
    });
    try {
      const started = await run.waitFor("embedded postgres started");
      const base = String((await run.waitFor("ready")).url);
      const session = await post(base, "/v1/auth/register", {
        email: "s@example.com",
        password: "a long passphrase",
      });
      const auth = { authorization: `Bearer ${session.access_token}` };
      const playbook = await post(base, "/v1/playbooks", { name: "p" }, auth);
      await post(
        base,
        `/v1/playbooks/${playbook.id}/outcomes`,
        { task_description: "t", outcome: "success" },
        auth,
      );
      await eventually(async () => fake.requests.length > 0); // the evolution now waits on the LLM forever
      run.proc.kill("SIGTERM");
      expect(await run.proc.exited).toBe(1);
      expect(await run.stderr()).toContain("shutdown timed out"); // errors are logged on stderr
      const alive = Bun.spawnSync(["pgrep", "-f", `postgres -D ${started.data_dir}`])
        .stdout.toString()
        .trim();
      expect(alive).toBe("");
    } finally {
      run.proc.kill("SIGKILL");
      await fake.stop();
    }
  }, 60_000);
});
