import { readFileSync } from "node:fs";
import path from "node:path";

/** Real playbooks from the ACE authors' AppWorld runs (Apache-2.0), kept in tests/fixtures/. */
export type FixtureName = "appworld_initial_playbook.txt" | "appworld_online_trained_playbook.txt";

export const fixturePath = (name: FixtureName) => path.resolve(import.meta.dir, "../fixtures", name);

export const readFixture = (name: FixtureName) => readFileSync(fixturePath(name), "utf8");
