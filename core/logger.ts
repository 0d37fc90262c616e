import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Structured JSON logs, one object per line on stdout (errors on stderr).
 * A request id set with `withLogContext` is added to every line logged inside it, so a request's
 * lines can be grepped together. Field values under secret-looking keys are replaced before
 * printing: logs must never carry passwords, tokens, keys or playbook content.
 */

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET_KEY =
  /pass(word)?|secret|token|authorization|api[-_]?key|cookie|^key$|content|reasoning_trace|notes|prompt/i;

const context = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with fields (e.g. request_id) attached to every log line it produces. */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string, level: LogLevel) => void;

const defaultSink: LogSink = (line, level) => {
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
};

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, stack: value.stack };
  }
  if (value === null || typeof value !== "object" || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1)]),
  );
}

/** Creates a logger printing at `level` and above. `sink` exists so tests can capture lines. */
export function createLogger(level: LogLevel, base: LogFields = {}, sink: LogSink = defaultSink): Logger {
  const threshold = LEVELS[level];
  const write = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
    if (LEVELS[lvl] < threshold) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg,
      ...(redact({ ...base, ...context.getStore(), ...fields }) as LogFields),
    };
    sink(JSON.stringify(record), lvl);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger(level, { ...base, ...fields }, sink),
  };
}
