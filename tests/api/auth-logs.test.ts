import { expect, test } from "bun:test";
import { createTestApp } from "../support/app.ts";
import { bearer, freshIp, newKey, PASSWORD, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

test("no password, token or full key appears in any log line", async () => {
  const app = createTestApp(db.pool, { LOG_LEVEL: "debug" });
  const session = await signUp(app, "secretive@example.com");
  const login = await (
    await app.fetch("/v1/auth/login", {
      method: "POST",
      json: { email: "secretive@example.com", password: PASSWORD },
      ip: freshIp(),
    })
  ).json();
  await app.fetch("/v1/auth/login", {
    method: "POST",
    json: { email: "secretive@example.com", password: "wrong-password-123" },
    ip: freshIp(),
  });
  const key = await newKey(app, login.access_token);
  await app.fetch("/v1/auth/me", { headers: { "x-api-key": key.key } });
  await app.fetch("/v1/auth/me", { headers: bearer("garbage.token.value") });
  const refreshed = await (
    await app.fetch("/v1/auth/refresh", { method: "POST", json: { refresh_token: login.refresh_token } })
  ).json();
  await app.fetch("/v1/auth/refresh", { method: "POST", json: { refresh_token: login.refresh_token } });
  await app.fetch("/v1/auth/register", {
    method: "POST",
    body: `{"password": "${PASSWORD}", `,
    headers: { "content-type": "application/json" },
  });

  const text = app.logs.map((l) => JSON.stringify(l)).join("\n");
  expect(app.logs.length).toBeGreaterThan(5);
  const secrets = [
    PASSWORD,
    "wrong-password-123",
    session.access_token,
    session.refresh_token,
    login.access_token,
    login.refresh_token,
    refreshed.access_token,
    refreshed.refresh_token,
    key.key,
    key.key.slice(12),
    "garbage.token.value",
  ];
  for (const secret of secrets) expect(text).not.toContain(secret);
});
