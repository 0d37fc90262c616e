/**
 * `bun scripts/container-config-check.ts`: the static half of the container check. Parses
 * fly.toml (TOML) and docker-compose.yml (YAML), reads the Dockerfile, and checks that the
 * three agree with each other and with the code: one internal port, health checks on /ready,
 * a start command and a release command that exist in package.json, settings that exist in
 * .env.example, stop timeouts longer than the server's shutdown budget. Needs no Docker and no
 * network; `scripts/container-check.sh` runs it first. Exits non-zero on any mismatch.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dir, "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
let failures = 0;

function check(condition: unknown, what: string): void {
  if (condition) console.log(`ok - ${what}`);
  else {
    failures++;
    console.log(`not ok - ${what}`);
  }
}

type Tree = Record<string, unknown>;
const at = (tree: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);

const dockerfile = read("Dockerfile");
const fly = Bun.TOML.parse(read("fly.toml")) as Tree;
const compose = Bun.YAML.parse(read("docker-compose.yml")) as Tree;
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
const envExample = read(".env.example");
const documented = (name: string) => new RegExp(`^${name}=`, "m").test(envExample);
const defaultOf = (name: string) => Number(envExample.match(new RegExp(`^${name}=(\\d+)`, "m"))?.[1]);
const seconds = (value: unknown) =>
  typeof value === "number" ? value : Number(String(value).match(/^(\d+)s$/)?.[1] ?? Number.NaN);

// The Dockerfile
const imagePort = Number(dockerfile.match(/^\s*PORT=(\d+)/m)?.[1]);
const exposed = Number(dockerfile.match(/^EXPOSE (\d+)/m)?.[1]);
const dataDir = dockerfile.match(/^\s*DATA_DIR=(\S+)/m)?.[1];
const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
check(imagePort > 0 && imagePort === exposed, `Dockerfile: ENV PORT (${imagePort}) is the EXPOSEd port`);
check(/^CMD \["bun", "run", "start"\]$/m.test(dockerfile), "Dockerfile: CMD is `bun run start`");
check(scripts.start, `package.json has a start script (${scripts.start})`);
check(users.length > 0 && !["root", "0"].includes(users.at(-1) ?? "root"), "Dockerfile: runs as non-root");
check(/^HEALTHCHECK .*\n?.*\/ready/m.test(dockerfile), "Dockerfile: HEALTHCHECK requests /ready");
check(
  dataDir && dockerfile.includes(`VOLUME ["${dataDir}"]`),
  `Dockerfile: DATA_DIR (${dataDir}) is a VOLUME`,
);
check(/--production/.test(dockerfile), "Dockerfile: the runtime's dependencies are a production install");
check(/COPY --from=admin \/app\/admin\/build/.test(dockerfile), "Dockerfile: copies the admin build");

// fly.toml
const flyEnv = (fly.env ?? {}) as Record<string, string>;
check(
  existsSync(path.join(ROOT, String(at(fly, "build", "dockerfile")))),
  "fly.toml: build.dockerfile exists",
);
check(at(fly, "http_service", "internal_port") === imagePort, "fly.toml: internal_port is the image's PORT");
check(Number(flyEnv.PORT ?? imagePort) === imagePort, "fly.toml: env PORT is the image's PORT");
const flyChecks = (at(fly, "http_service", "checks") ?? []) as Tree[];
check(
  flyChecks.length > 0 && flyChecks.every((c) => c.path === "/ready"),
  "fly.toml: HTTP checks use /ready",
);
const release = String(at(fly, "deploy", "release_command") ?? "");
const releaseScript = release.match(/^bun run (\S+)$/)?.[1];
check(
  !release || (releaseScript && scripts[releaseScript]),
  `fly.toml: release_command (${release}) is a package.json script`,
);
const shutdown = defaultOf("SHUTDOWN_TIMEOUT_SECONDS");
check(
  seconds(fly.kill_timeout) > shutdown,
  `fly.toml: kill_timeout exceeds SHUTDOWN_TIMEOUT_SECONDS (${shutdown})`,
);
for (const name of Object.keys(flyEnv)) check(documented(name), `fly.toml: env ${name} is in .env.example`);

// docker-compose.yml
const app = at(compose, "services", "app") as Tree;
const db = at(compose, "services", "postgres") as Tree;
check(app.build === "." && existsSync(path.join(ROOT, "Dockerfile")), "compose: app builds ./Dockerfile");
check(
  (app.ports as string[]).every((p) => p.endsWith(`:${imagePort}`)),
  "compose: app publishes the image's PORT",
);
check(
  at(app, "depends_on", "postgres", "condition") === "service_healthy",
  "compose: app waits for healthy Postgres",
);
check(String(at(db, "image")).startsWith("postgres:"), "compose: Postgres is the official image");
check(at(db, "healthcheck", "test"), "compose: Postgres has a health check");
const named = Object.keys((compose.volumes ?? {}) as Tree);
check(
  (db.volumes as string[]).some(
    (v) => named.includes(v.split(":")[0] ?? "") && v.endsWith(":/var/lib/postgresql/data"),
  ),
  "compose: Postgres data is a named volume at the official image's PGDATA",
);
for (const name of Object.keys((app.environment ?? {}) as Tree)) {
  check(documented(name), `compose: app env ${name} is in .env.example`);
}
check(
  seconds(app.stop_grace_period) > shutdown,
  "compose: stop_grace_period exceeds SHUTDOWN_TIMEOUT_SECONDS",
);

// The route the health checks use (the server's sources, wherever the entry point moves)
const skip = new Set(["node_modules", ".git", "tests", "bench", "admin", "scripts"]);
const serverFiles = [...new Bun.Glob("**/*.ts").scanSync({ cwd: ROOT })].filter(
  (file) => !skip.has(file.split("/")[0] ?? ""),
);
check(
  serverFiles.some((file) => read(file).includes('"/ready"')),
  "the server defines the /ready route",
);

console.log(failures ? `${failures} check(s) failed` : "container configuration is consistent");
process.exit(failures ? 1 : 0);
