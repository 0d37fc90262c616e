import { type PlaybookStats, playbookStats, validatePlaybookText } from "../ace/index.ts";
import { AppError } from "../errors.ts";

/** What a new, empty playbook starts with: the ACE sections, ready for bullets. */
export const EMPTY_PLAYBOOK = `## STRATEGIES & INSIGHTS

## COMMON MISTAKES TO AVOID

## USEFUL SNIPPETS AND COMMANDS
`;

/**
 * Checks user-supplied playbook text. Throws `payload_too_large` (with the limit) when it is over
 * `maxBytes`, `invalid_input` listing each format problem with its line number otherwise.
 */
export function validateContent(content: string, maxBytes: number, field = "content"): PlaybookStats {
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > maxBytes) {
    throw new AppError(
      "payload_too_large",
      `${field} is ${bytes} bytes; the limit is ${maxBytes} bytes. Remove or merge bullets to fit.`,
      { details: { field, limit_bytes: maxBytes, actual_bytes: bytes } },
    );
  }
  const result = validatePlaybookText(content, { maxBytes });
  if (!result.ok) {
    throw new AppError("invalid_input", `${field} is not a valid playbook: ${result.errors.join("; ")}`, {
      details: { field, errors: result.errors },
    });
  }
  return playbookStats(result.playbook);
}
