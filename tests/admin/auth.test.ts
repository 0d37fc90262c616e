import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { createTestApp } from "../support/app.ts";
import { PASSWORD } from "../support/auth.ts";
import {
  browserTestsAvailable,
  describeViolations,
  launchBrowser,
  overflowingElements,
  prepareAdminBuild,
  SCREENSHOTS,
  seriousA11yViolations,
  type TestBrowser,
  watchPage,
} from "../support/browser.ts";
import { useTestDatabase } from "../support/db.ts";

/**
 * Issue 14: create an account, stay signed in across a reload, sign out (Back shows nothing
 * private), sign in again — under the server's real CSP, with no console error and no serious
 * accessibility problem on the auth pages at desktop and phone widths.
 */

const db = useTestDatabase();
const run = browserTestsAvailable();

describe.if(run)("signing up, in and out in the browser", () => {
  let browser: TestBrowser;
  let server: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    const adminDir = await prepareAdminBuild();
    server = createTestApp(db.pool, {}, { adminDir }).listen();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function a11y(page: Page, name: string) {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      expect(describeViolations(await seriousA11yViolations(page))).toEqual([]);
      if (width === 375) expect(await overflowingElements(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test("create account → signed in; reload keeps the session; sign out; Back shows nothing private", async () => {
    const context = await browser.browser.newContext();
    context.setDefaultTimeout(5000);
    const page = await context.newPage();
    const watch = watchPage(page);
    const email = `b-${crypto.randomUUID()}@example.com`;

    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/signin$/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await a11y(page, "signin");

    await page.getByRole("link", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Create account" }).waitFor();
    await a11y(page, "signup");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    // The API's own message, next to the field it is about.
    await page
      .getByText(/at least 10/i)
      .first()
      .waitFor();

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Playbooks", exact: true }).waitFor();
    for (const name of ["Playbooks", "API keys", "Usage", "Security"])
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).waitFor();

    await page.reload();
    await page.getByRole("heading", { name: "Playbooks", exact: true }).waitFor();
    expect(await page.getByRole("button", { name: /^Account menu/ }).textContent()).toContain(email);

    await page.getByRole("link", { name: "API keys" }).click();
    await page.waitForURL(/\/keys$/);
    await page.getByRole("button", { name: /^Account menu/ }).click();
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();

    await page.goBack();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.getByText(email).count()).toBe(0);
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong password 123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toMatch(/email or password/i);

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Playbooks", exact: true }).waitFor();

    // Expected refusals: the short password and the wrong password.
    watch.expectClean([/^HTTP 401 POST \/v1\/auth\/login$/, /^HTTP 4\d\d POST \/v1\/auth\/register$/]);
    await context.close();
  }, 60_000);
});
