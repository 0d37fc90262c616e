import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ensureAdminBuild } from "../../scripts/build-admin.ts";

/**
 * Browser tests (tests/admin) drive Debian's Chromium with playwright-core against the real app.
 * Without /usr/bin/chromium they are skipped and one line says how to get them.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

let told = false;
/** Call once per browser test file: prints the one-line hint when Chromium is missing. */
export function browserTestsAvailable(): boolean {
  if (!hasChromium && !told) {
    told = true;
    console.warn(
      `browser tests skipped: no Chromium at ${CHROMIUM} (run \`apt-get install -y chromium\` to enable them)`,
    );
  }
  return hasChromium;
}

/** The dashboard build the tests serve (built first when missing or stale). */
export const ADMIN_BUILD = path.join(import.meta.dir, "..", "..", "admin", "build");

export async function prepareAdminBuild(): Promise<string> {
  await ensureAdminBuild({ quiet: true });
  return ADMIN_BUILD;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * One headless Chromium, nothing talking to the network on its own. Playwright gives every
 * launch a fresh temporary profile (--user-data-dir) and removes it on close.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/**
 * Collects what must never happen on a page: a CSP violation, a console error, an uncaught
 * exception. `expectClean()` fails the test with all of them.
 */
export function watchPage(page: Page) {
  const problems: string[] = [];
  page.on("console", (message) => {
    // Chromium logs every 4xx/5xx as "Failed to load resource" without the URL: the response
    // listener below records those with method and path instead.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
      problems.push(`console error: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    problems.push(`HTTP ${response.status()} ${response.request().method()} ${url.pathname}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  // CSP violations also reach the console, but the event names the directive and the blocked URI.
  page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(
        `CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample})`,
      );
    });
  });
  return {
    problems,
    /** Throws when anything went wrong; `allow` filters expected console errors (e.g. a 401). */
    expectClean(allow: RegExp[] = []) {
      const real = problems.filter((p) => !allow.some((a) => a.test(p)));
      if (real.length) throw new Error(`page problems:\n${real.join("\n")}`);
    },
  };
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown }[] };

/**
 * Runs axe-core in the page (injected through the DevTools protocol, so the page's CSP does not
 * apply to it) and returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const session = await page.context().newCDPSession(page);
  await session.send("Runtime.evaluate", { expression: AXE_SOURCE });
  const { result } = await session.send("Runtime.evaluate", {
    expression: "axe.run(document, { resultTypes: ['violations'] }).then(r => JSON.stringify(r.violations))",
    awaitPromise: true,
    returnByValue: true,
  });
  await session.detach();
  const violations = JSON.parse(String(result.value)) as AxeViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export const describeViolations = (violations: AxeViolation[]) =>
  violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
  );

/**
 * Routes the dashboard calls that the admin-api branch adds (availability, event stream): until
 * they are on main the pages fall back (derived reasons, polling) after a 404.
 */
export const PENDING_API_ROUTES =
  /^HTTP 404 (GET|POST) \/v1\/(events\/tokens|playbooks\/[^/]+\/evolutions\/availability)$/;

export const SCREENSHOTS = path.join(import.meta.dir, "..", "admin", "screenshots");

/** Creates an account through the dashboard's own form; the page ends on the Playbooks list. */
export async function signUpInBrowser(page: Page, baseUrl: string, password: string): Promise<string> {
  const email = `b-${crypto.randomUUID()}@example.com`;
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Playbooks", exact: true }).waitFor();
  return email;
}

/** The access token the page holds in memory, by refreshing through its own cookie. */
export async function accessTokenOf(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const r = await fetch("/v1/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json", "x-requested-with": "ace-admin" },
      body: "{}",
    });
    return ((await r.json()) as { access_token: string }).access_token;
  });
}

/** Elements sticking out past the viewport's right edge (a page must not scroll sideways at 375 px). */
export function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const out: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.right > width + 1 && box.width > 0) {
        // Only the outermost offender of each branch: its parent fits.
        const parent = el.parentElement?.getBoundingClientRect();
        const escapes = ["absolute", "fixed"].includes(getComputedStyle(el).position);
        if (escapes || !parent || parent.right <= width + 1)
          out.push(
            `${el.tagName.toLowerCase()}.${[...el.classList].slice(0, 4).join(".")} right=${Math.round(box.right)}`,
          );
      }
    }
    return out.length ? out : [`scrollWidth ${document.documentElement.scrollWidth} > ${width}`];
  });
}
