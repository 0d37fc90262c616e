import path from "node:path";

const FIXTURES = path.resolve(import.meta.dir, "../../../../shared/fixtures");

/** Reads one of the shared ACE fixtures (the shared/ folder sits beside the repo root). */
export const readFixture = (name: "appworld_initial_playbook.txt" | "appworld_online_trained_playbook.txt") =>
  Bun.file(path.join(FIXTURES, name)).text();
