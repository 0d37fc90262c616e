import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

/**
 * A fixed version name keeps the inline bootstrap script (and so its CSP hash) the same for the
 * same sources: the git commit when there is one, else the package version.
 */
function versionName(): string {
  try {
    return execSync("git rev-parse --short HEAD", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return process.env.npm_package_version ?? "0.1.0";
  }
}

/**
 * Kit's route announcer carries one fixed inline `style` attribute. Its hash goes into the CSP
 * Kit writes into index.html (`style-src-attr 'unsafe-hashes'`), so the server, which copies
 * the hashes from there at boot, allows exactly that attribute and no other.
 */
function announcerStyleHash(): `sha256-${string}` {
  const kitDir = createRequire(import.meta.url)
    .resolve("@sveltejs/kit/package.json")
    .replace(/package\.json$/, "");
  const root = readFileSync(`${kitDir}src/runtime/components/root.svelte`, "utf8");
  const style = /id="svelte-announcer"[\s\S]*?style="([^"]*)"/.exec(root)?.[1];
  if (!style) throw new Error("Kit's route announcer style was not found: update announcerStyleHash");
  return `sha256-${createHash("sha256").update(style).digest("base64")}`;
}

export default defineConfig({
  plugins: [
    tailwindcss(),
    sveltekit({
      // A single-page app: every client route falls back to index.html, served by api/admin-static.ts.
      adapter: adapter({ fallback: "index.html", strict: false }),
      // Hash mode: Kit puts the hashes of its inline script/styles into index.html's CSP meta;
      // the server reads them at boot and sends them in the header (api/security-headers.ts).
      csp: {
        mode: "hash",
        directives: { "script-src": ["self"], "style-src-attr": ["unsafe-hashes", announcerStyleHash()] },
      },
      version: { name: versionName() },
    }),
  ],
});
