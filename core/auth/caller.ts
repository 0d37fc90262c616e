import { AppError } from "../errors.ts";

/** What an API key may do. A user signed in with a JWT holds every scope. */
export const SCOPES = ["read", "write", "evolve"] as const;
export type Scope = (typeof SCOPES)[number];

/** The authenticated party of a request or tool call, resolved once by the transport. */
export interface Caller {
  userId: string;
  scopes: readonly Scope[];
  via: "jwt" | "api_key";
  /** Set when the caller authenticated with an API key. */
  apiKeyId: string | null;
  /** The signed-in session (refresh-token family) of a JWT caller; absent for API keys. */
  sessionId?: string;
}

/** Throws `forbidden` naming the missing scope, so the client knows which key to create. */
export function requireScope(caller: Caller, scope: Scope): void {
  if (!caller.scopes.includes(scope)) {
    throw new AppError(
      "forbidden",
      `This API key lacks the "${scope}" scope. Create a key with "${scope}" to do this.`,
      {
        details: { required_scope: scope },
      },
    );
  }
}
