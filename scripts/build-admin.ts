import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Builds the dashboard (admin/ → admin/build) when the build is missing or older than any of its
 * sources; otherwise does nothing. Run by the root `postinstall` (so `bun install && bun run
 * start` serves the dashboard) and by the browser tests. `--force` always builds.
 */

const ADMIN = path.join(import.meta.dir, "..", "admin");
const SOURCES = ["src", "static", "vite.config.ts", "package.json", "tsconfig.json"];
const BUILT = path.join(ADMIN, "build", "index.html");

function newestMtime(entry: string): number {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** Why the build must run, or undefined when it is up to date. */
export function buildReason(): string | undefined {
  const built = statSync(BUILT, { throwIfNoEntry: false });
  if (!built) return "admin/build is missing";
  const newest = Math.max(...SOURCES.map((s) => newestMtime(path.join(ADMIN, s))));
  return newest > built.mtimeMs ? "admin sources changed since the last build" : undefined;
}

/** Builds if needed; throws with the build's output when it fails. */
export async function ensureAdminBuild(options: { force?: boolean; quiet?: boolean } = {}): Promise<void> {
  const reason = options.force ? "forced" : buildReason();
  if (!reason) return;
  const started = performance.now();
  if (!options.quiet) console.log(`building the dashboard (${reason})…`);
  const child = Bun.spawn(["bun", "--bun", "vite", "build", "--logLevel", "warn"], {
    cwd: ADMIN,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`the dashboard build failed (exit ${code}):\n${out}\n${err}`);
  if (!options.quiet)
    console.log(`dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.main) {
  try {
    await ensureAdminBuild({ force: Bun.argv.includes("--force") });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
