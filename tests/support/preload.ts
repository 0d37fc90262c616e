import { afterAll } from "bun:test";
import { stopTestCluster } from "./cluster.ts";

// Runs once after every test file: no postgres process may outlive `bun test`.
afterAll(async () => {
  await stopTestCluster();
}, 30_000);
