import type { UsageEntry } from "../llm/types.ts";

export type EngineErrorCode =
  | "invalid_input"
  | "invalid_playbook"
  | "playbook_too_large"
  | "llm_unavailable"
  | "llm_failed"
  | "internal";

/**
 * The one error `evolvePlaybook` throws. `transient` means "retry the job later" (provider
 * unavailable); everything else is permanent and the playbook stays as it was. `usage` lists every
 * LLM call that cost tokens before the failure so the caller can still record the spend.
 * The message is safe to show a user.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly transient: boolean;
  readonly details: Record<string, unknown>;
  usage: UsageEntry[];

  constructor(
    code: EngineErrorCode,
    message: string,
    options: {
      transient?: boolean;
      details?: Record<string, unknown>;
      usage?: UsageEntry[];
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EngineError";
    this.code = code;
    this.transient = options.transient ?? false;
    this.details = options.details ?? {};
    this.usage = options.usage ?? [];
  }
}

export const isEngineError = (error: unknown): error is EngineError => error instanceof EngineError;
