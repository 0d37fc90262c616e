export {
  createApiKey,
  DEFAULT_KEY_SCOPES,
  listUserApiKeys,
  renameUserApiKey,
  revokeUserApiKey,
} from "./api-keys.ts";
export { type Caller, requireScope, SCOPES, type Scope } from "./caller.ts";
export { LOCKOUT } from "./lockout.ts";
export { loginUser } from "./login.ts";
export { logoutEverywhere, logoutSession } from "./logout.ts";
export { getCurrentUser } from "./me.ts";
export { refreshSession } from "./refresh.ts";
export { chargeRefusedRequest } from "./refused-request.ts";
export { registerUser } from "./register.ts";
export {
  type AccessTokenPolicy,
  type Credentials,
  resolveAccessToken,
  resolveApiKey,
  resolveCaller,
} from "./resolve-caller.ts";
export * from "./schemas.ts";
export type { ClientInfo } from "./session.ts";
export { createSessionRegistry, type SessionRegistry } from "./sessions.ts";
export type { AuthSettings, PasswordCosts, SessionSettings } from "./settings.ts";
export { signAccessToken, verifyAccessToken } from "./tokens.ts";
