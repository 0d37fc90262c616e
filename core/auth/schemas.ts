import { z } from "zod";
import { SCOPES } from "./caller.ts";

/**
 * The shapes of the auth feature, shared by REST, MCP and the admin client. Request bodies are
 * snake_case; parsing them is the adapter's job, so core functions receive clean values.
 */

const required = (what: string) => ({ error: `${what} is required` });

/** Timestamps travel as ISO 8601 strings (JSON has no date type). */
const Timestamp = z.iso.datetime();

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export const Email = z
  .string(required("email"))
  .trim()
  .toLowerCase()
  .max(320, { error: "must be at most 320 characters" })
  .pipe(z.email({ error: "must be an email address like name@example.com" }));

/** Length over composition rules (NIST SP 800-63B); the upper bound keeps hashing cheap to refuse. */
export const Password = z
  .string(required("password"))
  .min(PASSWORD_MIN, { error: `must be at least ${PASSWORD_MIN} characters; a short passphrase works well` })
  .max(PASSWORD_MAX, { error: `must be at most ${PASSWORD_MAX} characters` })
  .refine((p) => new Set(p).size >= 4, { error: "is too easy to guess; use more varied characters" });

export const RegisterInput = z.object({
  email: Email,
  password: Password,
  display_name: z.string().trim().min(1).max(100, { error: "must be at most 100 characters" }).optional(),
});
export type RegisterInput = z.output<typeof RegisterInput>;

/** Login does not apply the password policy: an old password must still be accepted. */
export const LoginInput = z.object({
  email: Email,
  password: z.string(required("password")).min(1, required("password")).max(PASSWORD_MAX),
});
export type LoginInput = z.output<typeof LoginInput>;

/** The refresh token may come in the body (API clients) or the cookie (the dashboard). */
export const RefreshInput = z.object({ refresh_token: z.string().min(1).max(200).optional() });

export const Scope = z.enum(SCOPES, { error: `must be one of: ${SCOPES.join(", ")}` });

const KeyName = z
  .string(required("name"))
  .trim()
  .min(1, { error: "must not be empty" })
  .max(100, { error: "must be at most 100 characters" });

export const CreateApiKeyInput = z.object({
  name: KeyName,
  scopes: z
    .array(Scope)
    .min(1, { error: "must list at least one scope" })
    .optional()
    .describe("Defaults to read and write"),
  expires_in_days: z.number().int().min(1).max(3650).optional().describe("Omit for a key that never expires"),
});
export type CreateApiKeyInput = z.output<typeof CreateApiKeyInput>;

export const RenameApiKeyInput = z.object({ name: KeyName });

export const User = z.object({
  id: z.uuid(),
  email: z.string(),
  display_name: z.string().nullable(),
  created_at: Timestamp,
});
export type User = z.output<typeof User>;

/** A signed-in session: a short-lived access token and a rotating refresh token. */
export const Session = z.object({
  access_token: z.string(),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().describe("Seconds until the access token expires"),
  refresh_token: z.string(),
  refresh_expires_at: Timestamp,
  user: User,
});
export type Session = z.output<typeof Session>;

export const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The first characters of the key, to recognise it"),
  scopes: z.array(Scope),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
  expires_at: Timestamp.nullable(),
});
export type ApiKey = z.output<typeof ApiKey>;

/** Returned once, at creation: the only time the full key is shown. */
export const CreatedApiKey = ApiKey.extend({ key: z.string().describe("The full key; store it now") });
export type CreatedApiKey = z.output<typeof CreatedApiKey>;

/** The caller's account and how this request authenticated. */
export const Me = User.extend({
  auth: z.object({
    via: z.enum(["jwt", "api_key"]),
    scopes: z.array(Scope),
    api_key_id: z.uuid().nullable(),
  }),
});
export type Me = z.output<typeof Me>;
