import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./support/process.ts";

/**
 * The layer rules of docs/ARCHITECTURE.md, checked on the source text (import cycles are
 * `bun run lint:cycles`): SQL lives in `queries*.ts` files and core/db only, the two adapters never
 * import each other, and core imports no adapter and no transport library.
 */

const PRODUCT = ["main.ts", "boot/**/*.ts", "api/**/*.ts", "core/**/*.ts", "worker/**/*.ts"];

function sources(patterns: string[]): Array<{ file: string; text: string }> {
  const files = patterns.flatMap((pattern) => [...new Bun.Glob(pattern).scanSync({ cwd: ROOT })]);
  return files.sort().map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") }));
}

/** Every module a file imports, relative ones as repo paths (`api/errors.ts`), packages by name. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?["']([^"'\n]+)["']/g)].map(
    (m) => m[1]!,
  );
  return specifiers.map((s) => (s.startsWith(".") ? path.join(path.dirname(file), s) : s));
}

// A slonik `sql` tagged template or builder (sql`…`, sql.type(…)`…`, sql.fragment`…`, sql.array(…)…),
// or the `sql` value imported from slonik.
const SQL_USE = /\bsql(?:\.\w+)?\s*[`(]/;
const SQL_IMPORT = /import\s*\{[^}]*(?<!type\s)\bsql\b[^}]*\}\s*from\s*["']slonik["']/;
const SQL_HOME = /(^|\/)queries[^/]*\.ts$|^core\/db\//;

describe("layer rules", () => {
  test("SQL is written only in queries*.ts files and core/db/", () => {
    const offenders = sources(PRODUCT)
      .filter(({ file, text }) => !SQL_HOME.test(file) && (SQL_USE.test(text) || SQL_IMPORT.test(text)))
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  test("api/ and worker/ never import each other", () => {
    const crossing = sources(["api/**/*.ts", "worker/**/*.ts"]).flatMap(({ file, text }) => {
      const other = file.startsWith("api/") ? "worker/" : "api/";
      return importsOf(file, text)
        .filter((target) => target.startsWith(other))
        .map((target) => `${file} -> ${target}`);
    });
    expect(crossing).toEqual([]);
  });

  test("core/ imports no adapter, no entry point and no transport library", () => {
    const outside =
      /^(api|worker|boot)\/|^main\.ts$|^elysia|^@elysiajs\/|^@modelcontextprotocol\/|^graphile-worker/;
    const leaks = sources(["core/**/*.ts"]).flatMap(({ file, text }) =>
      importsOf(file, text)
        .filter((target) => outside.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(leaks).toEqual([]);
  });
});
