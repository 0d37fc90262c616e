import path from "node:path";
import { type Subprocess, spawn } from "bun";

export const ROOT = path.resolve(import.meta.dir, "../..");

export interface Started {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Lines printed so far on stdout (JSON logs). */
  lines: string[];
  /** Resolves with the first log line whose msg is `msg`. */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  stderr(): Promise<string>;
}

/**
 * Runs `bun main.ts` (the real entry point) with the given environment and arguments, or
 * another command of the package (e.g. `["bun", "run", "start"]`) when `command` is given.
 */
export function startPlatform(env: Record<string, string>, args: string[] = [], command?: string[]): Started {
  const proc = spawn(command ?? ["bun", "main.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const waiters: Array<{ msg: string; resolve: (v: Record<string, unknown>) => void }> = [];
  (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk);
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        try {
          const parsed = JSON.parse(line);
          for (const w of waiters.filter((w) => w.msg === parsed.msg)) w.resolve(parsed);
        } catch {}
        nl = buffer.indexOf("\n");
      }
    }
  })();
  return {
    proc,
    lines,
    waitFor: (msg, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const found = lines.map((l) => JSON.parse(l)).find((l) => l.msg === msg);
        if (found) return resolve(found);
        waiters.push({ msg, resolve });
        setTimeout(() => reject(new Error(`no "${msg}" log line within ${timeoutMs} ms`)), timeoutMs);
        proc.exited.then(() => reject(new Error(`process exited before logging "${msg}"`)));
      }),
    stderr: () => new Response(proc.stderr).text(),
  };
}
