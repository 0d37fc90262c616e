import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, signUp } from "../support/auth.ts";
import {
  browserTestsAvailable,
  launchBrowser,
  PENDING_API_ROUTES,
  prepareAdminBuild,
  type TestBrowser,
} from "../support/browser.ts";
import { useTestDatabase } from "../support/db.ts";
import { checkPage, signedInPage } from "./pages-support.ts";

/**
 * Issue 14, API keys page: create with name, scopes and expiry; the key shown once with a copy
 * button and set-up snippets; the list (prefix, scopes, created, last used); rename; revoke with
 * confirmation, after which the key is refused.
 */

const db = useTestDatabase();
const run = browserTestsAvailable();

describe.if(run)("API keys page", () => {
  let browser: TestBrowser;
  let app: TestApp;
  let server: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    const adminDir = await prepareAdminBuild();
    app = createTestApp(db.pool, {}, { adminDir });
    server = app.listen();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("create → shown once with set-up lines → works → rename → revoke → refused", async () => {
    const { user } = await signUp(app);
    const { context, page, watch } = await signedInPage(browser.browser, server.url, user.email);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByText("No API keys yet").waitFor();
    await checkPage(page, "keys-empty");

    await page.getByRole("button", { name: "Create key" }).click();
    // The API's own validation message for an empty name.
    await page.getByRole("button", { name: "Create key" }).last().click();
    await page.getByText(/Name .*(empty|required|at least)/i).waitFor();

    await page.getByLabel("Name").fill("laptop agent");
    await page.getByRole("checkbox", { name: /Evolve/ }).check();
    await page.getByLabel("Expires").selectOption({ label: "In 90 days" });
    await checkPage(page, "keys-create");
    await page.getByRole("button", { name: "Create key" }).last().click();

    const shown = page.getByLabel("Your new API key");
    await shown.waitFor();
    const secret = await shown.inputValue();
    expect(secret).toMatch(/^ace_/);
    await page.getByRole("button", { name: "Copy key" }).click();
    await page.getByText("Copied key to the clipboard.").waitFor({ state: "attached" });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // Claude Code first, the others one tab away; each carries the key and this server's /mcp.
    const claude = page.getByLabel("Claude Code set-up", { exact: true });
    expect(await claude.textContent()).toContain(`claude mcp add --transport http ace '${server.url}/mcp'`);
    expect(await claude.textContent()).toContain(`Authorization: Bearer ${secret}`);
    await page.getByRole("tab", { name: "Cursor" }).click();
    const cursor = JSON.parse((await page.getByLabel("Cursor set-up", { exact: true }).textContent()) ?? "");
    expect(cursor.mcpServers.ace).toEqual({
      url: `${server.url}/mcp`,
      headers: { Authorization: `Bearer ${secret}` },
    });
    await checkPage(page, "keys-created", { dark: true });

    // The key works, with the scopes chosen.
    const me = await app.fetch("/v1/auth/me", { headers: bearer(secret) });
    expect(me.status).toBe(200);
    expect((await me.json()).auth.scopes.sort()).toEqual(["evolve", "read", "write"]);

    await page.getByRole("button", { name: "I have copied the key" }).click();
    expect(await page.getByLabel("Your new API key").count()).toBe(0);
    const row = page.getByRole("listitem").filter({ hasText: "laptop agent" });
    expect(await row.textContent()).toContain(secret.slice(0, 8));
    expect(await row.getByRole("list", { name: "Scopes" }).textContent()).toMatch(/Read.*Write.*Evolve/s);

    // A reload never shows the key again.
    await page.reload();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByText("laptop agent").waitFor();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("button", { name: "Rename laptop agent" }).click();
    const name = page.getByRole("textbox", { name: "Name" });
    await name.fill("desktop agent");
    await name.press("Enter");
    await page.getByText("desktop agent").first().waitFor();
    await page.getByRole("button", { name: "Revoke desktop agent" }).waitFor();

    await page.getByRole("button", { name: "Revoke desktop agent" }).click();
    const dialog = page.getByRole("alertdialog");
    await dialog.getByText("Revoke “desktop agent”?").waitFor();
    await checkPage(page, "keys-revoke-confirm");
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await page.getByText("No API keys yet").waitFor();
    expect((await app.fetch("/v1/auth/me", { headers: bearer(secret) })).status).toBe(401);

    // The security log shows what happened, readable.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" }).click();
    const events = page.getByRole("list", { name: "Security events" });
    await events.waitFor();
    const text = (await events.textContent()) ?? "";
    expect(text).toContain("API key revoked");
    expect(text).toContain("“laptop agent” → “desktop agent”");
    expect(text).toContain("API key created");
    expect(text).toContain("Signed in");
    await checkPage(page, "security", { dark: true });
    await page.getByLabel("Show").selectOption({ label: "API key renamed" });
    await page.getByText("1 event", { exact: true }).waitFor();

    // 422: the empty name above.
    watch.expectClean([PENDING_API_ROUTES, /^HTTP 422 POST \/v1\/auth\/api-keys$/]);
    await context.close();
  }, 90_000);
});
