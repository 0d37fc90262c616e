import { EngineError } from "./errors.ts";
import { parsePlaybook } from "./format.ts";
import type { Playbook } from "./types.ts";

/** 100 KiB: the default content size limit of one playbook. */
export const DEFAULT_MAX_CONTENT_BYTES = 100 * 1024;
const MAX_REPORTED_ERRORS = 20;

export type PlaybookValidation = { ok: true; playbook: Playbook } | { ok: false; errors: string[] };

export const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

function lineProblem(text: string, lineNumber: number): string | null {
  if (/^##\s*$/.test(text)) return `line ${lineNumber}: section header without a name`;
  if (/^\[[^\]\s]+\]\s*$/.test(text)) return `line ${lineNumber}: bullet ${text.trim()} has no content`;
  if (/^\[[^\]\s]+\][ \t]+(helpful|harmful)=/.test(text)) {
    return `line ${lineNumber}: malformed counters; expected "[id] helpful=N harmful=N :: content" with N of at most 9 digits`;
  }
  return null;
}

function collectProblems(content: string, playbook: Playbook): string[] {
  const problems: string[] = [];
  const firstSeen = new Map<string, number>();
  const rawLines = content.replace(/\r\n/g, "\n").split("\n");
  playbook.lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.kind === "text") {
      const problem = lineProblem(line.text, lineNumber);
      if (problem) problems.push(problem);
      return;
    }
    if (line.kind !== "bullet") return;
    const { id, content: text } = line.bullet;
    if (text === "") problems.push(`line ${lineNumber}: bullet [${id}] has no content`);
    const first = firstSeen.get(id);
    if (first === undefined) firstSeen.set(id, lineNumber);
    else problems.push(`line ${lineNumber}: duplicate bullet id [${id}] (first used on line ${first})`);
    if (!line.bullet.plain) return;
    const problem = lineProblem(rawLines[index] ?? "", lineNumber);
    if (problem) problems.push(problem);
  });
  return problems;
}

/**
 * Checks playbook text against the format and the size limit. Returns every problem with its
 * line number (at most 20, then a count), or the parsed playbook. Never throws.
 */
export function validatePlaybookText(
  content: string,
  options: { maxBytes?: number } = {},
): PlaybookValidation {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONTENT_BYTES;
  const bytes = byteLength(content);
  if (bytes > maxBytes) {
    return { ok: false, errors: [`playbook is ${bytes} bytes; the limit is ${maxBytes} bytes`] };
  }
  const playbook = parsePlaybook(content);
  const problems = collectProblems(content, playbook);
  if (problems.length === 0) return { ok: true, playbook };
  const shown = problems.slice(0, MAX_REPORTED_ERRORS);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
  return { ok: false, errors: shown };
}

/**
 * Parses text that must be a valid playbook. Throws EngineError `playbook_too_large` or
 * `invalid_playbook` (permanent) with the problems in the message and in `details.errors`.
 */
export function parseValidPlaybook(content: string, maxBytes: number): Playbook {
  const result = validatePlaybookText(content, { maxBytes });
  if (result.ok) return result.playbook;
  const code = byteLength(content) > maxBytes ? "playbook_too_large" : "invalid_playbook";
  throw new EngineError(code, `Invalid playbook: ${result.errors.join("; ")}`, {
    details: { errors: result.errors },
  });
}
