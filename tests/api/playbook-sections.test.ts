import { beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

const STRATEGIES = `## STRATEGIES & INSIGHTS
[str-00001] helpful=0 harmful=0 :: Read the failing test before editing code.`;
const MISTAKES = `## COMMON MISTAKES TO AVOID
[err-00002] helpful=0 harmful=0 :: Do not edit generated files.`;
const SNIPPETS = `## USEFUL SNIPPETS AND COMMANDS
[cmd-00003] helpful=0 harmful=0 :: bun test path/to/file.test.ts runs one file.`;
const CONTENT = `${STRATEGIES}\n\n${MISTAKES}\n\n${SNIPPETS}\n`;

let app: TestApp;
let alice: Record<string, string>;
let playbookId: string;
beforeAll(async () => {
  app = createTestApp(db.pool);
  alice = bearer((await signUp(app)).access_token);
  const created = await app.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "Sections", content: CONTENT },
    headers: alice,
  });
  playbookId = (await created.json()).id;
});

const get = (query: string, headers = alice) => app.fetch(`/v1/playbooks/${playbookId}${query}`, { headers });

describe("GET /v1/playbooks/{id}?sections=", () => {
  test("one section: content is that section only; the rest of the detail describes the whole playbook", async () => {
    const response = await get("?sections=common%20mistakes%20to%20avoid");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      id: playbookId,
      content: MISTAKES,
      bullet_count: 3,
      version_number: 1,
    });
  });

  test("several sections, repeated or comma-separated, come in the playbook's order, each once", async () => {
    const expected = `${STRATEGIES}\n\n${SNIPPETS}`;
    const repeated = await get(
      "?sections=USEFUL%20SNIPPETS%20AND%20COMMANDS&sections=STRATEGIES%20%26%20INSIGHTS:&sections=strategies%20%26%20insights",
    );
    expect((await repeated.json()).content).toBe(expected);
    const commas = await get("?sections=USEFUL%20SNIPPETS%20AND%20COMMANDS,STRATEGIES%20%26%20INSIGHTS");
    expect((await commas.json()).content).toBe(expected);
  });

  test("with ?format=text the download holds just the sections asked for", async () => {
    const response = await get("?format=text&sections=USEFUL%20SNIPPETS%20AND%20COMMANDS");
    expect(response.headers.get("content-type")).toContain("text/markdown");
    expect(await response.text()).toBe(SNIPPETS);
  });

  test("without the parameter the whole playbook is returned, as before", async () => {
    expect((await (await get("")).json()).content).toBe(CONTENT);
  });
});

describe("GET /v1/playbooks/{id}?sections= errors", () => {
  test("a section the playbook lacks is 422 listing the sections it has", async () => {
    const response = await get("?sections=STRATEGIES%20%26%20INSIGHTS&sections=NOPE");
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain('no section "NOPE"');
    expect(error.message).toContain('"COMMON MISTAKES TO AVOID"');
    expect(error.details).toMatchObject({ field: "sections", unknown_sections: ["NOPE"] });
  });

  test("an empty name, an over-long name and too many names are 422 naming the parameter", async () => {
    for (const query of [
      "?sections=",
      "?sections=a,,b",
      `?sections=${"x".repeat(201)}`,
      `?sections=${Array.from({ length: 51 }, (_, i) => `s${i}`).join(",")}`,
    ]) {
      const response = await get(query);
      expect({ query, status: response.status }).toEqual({ query, status: 422 });
      expect((await response.json()).error.message).toContain("sections");
    }
  });
});

describe("GET /v1/playbooks/{id}?sections= auth", () => {
  test("another user's playbook is 404, with or without sections", async () => {
    const bob = bearer((await signUp(app)).access_token);
    for (const query of ["?sections=STRATEGIES%20%26%20INSIGHTS", "?sections=NOPE"]) {
      const response = await get(query, bob);
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe("not_found");
    }
  });

  test("a key without read is 403; no credentials is 401", async () => {
    const session = await signUp(app);
    const writeOnly = await newKey(app, session.access_token, { name: "w", scopes: ["write"] });
    expect((await get("?sections=NOPE", { "x-api-key": writeOnly.key })).status).toBe(403);
    expect((await get("?sections=NOPE", {})).status).toBe(401);
  });
});
