import type { TestApp } from "./app.ts";

let counter = 0;
/** A fresh client address per call, so per-IP limits never leak between tests. */
export const freshIp = () => `10.0.${Math.floor(++counter / 250)}.${counter % 250}`;

export const PASSWORD = "correct horse battery staple";

/** Registers a new user over HTTP; returns the session body. */
export async function signUp(app: TestApp, email = `u-${crypto.randomUUID()}@example.com`) {
  const response = await app.fetch("/v1/auth/register", {
    method: "POST",
    json: { email, password: PASSWORD },
    ip: freshIp(),
  });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as {
    access_token: string;
    refresh_token: string;
    user: { id: string; email: string };
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The claims of a JWT (not verified: tests read what the server put in). */
export const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));

/** The session (refresh family) an access token belongs to. */
export const sessionIdOf = (accessToken: string): string => String(claimsOf(accessToken).sid);

/** Creates an API key for a signed-in user; returns the creation body (with the full key). */
export async function newKey(
  app: TestApp,
  accessToken: string,
  body: Record<string, unknown> = { name: "agent" },
) {
  const response = await app.fetch("/v1/auth/api-keys", {
    method: "POST",
    json: body,
    headers: bearer(accessToken),
  });
  if (response.status !== 201)
    throw new Error(`key creation failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; key: string; prefix: string; scopes: string[] };
}
