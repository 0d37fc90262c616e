import { beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { seedStarters } from "../../core/playbooks/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { LLM_CONFIGURED } from "../support/config.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { agentKey, callTool, connectMcp, restPlaybook, textOf } from "../support/mcp.ts";

const db = useTestDatabase();
let app: TestApp;
let client: Client;
let headers: Record<string, string>;

beforeAll(async () => {
  await seedStarters(db.pool);
  app = createTestApp(db.pool, {
    RATE_LIMIT_OUTCOMES_PER_HOUR: "6",
    EVOLUTION_OUTCOME_THRESHOLD: "50",
    ...LLM_CONFIGURED,
  });
  headers = (await agentKey(app)).headers;
  client = await connectMcp(app, headers);
});

type Listing = { playbooks: Array<{ id: string; name: string; bullet_count: number; last_updated: string }> };

describe("playbook tools", () => {
  test("list_playbooks lists starters by default, and only mine without them", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const all = await callTool(client, "list_playbooks");
    const listing = all.structuredContent as Listing;
    expect(listing.playbooks.length).toBeGreaterThan(1);
    expect(Object.keys(listing.playbooks[0] ?? {}).sort()).toEqual(
      ["bullet_count", "description", "id", "last_updated", "name", "outcome_count"].sort(),
    );
    expect(textOf(all)).toContain("[starter: read-only");
    const mine = (await callTool(client, "list_playbooks", { include_starters: false }))
      .structuredContent as Listing;
    expect(mine.playbooks.map((p) => p.id)).toEqual([id]);
    expect(mine.playbooks[0]?.bullet_count).toBe(3);
  });

  test("list_playbooks pages by 100 with offset and next_offset; resources/list has them all", async () => {
    const own = (await agentKey(app)).headers;
    const paged = await connectMcp(app, own);
    for (let i = 0; i < 101; i++) await restPlaybook(app, own, SAMPLE_PLAYBOOK);
    const first = await callTool(paged, "list_playbooks", { include_starters: false });
    expect(first.structuredContent).toMatchObject({ total: 101, next_offset: 100 });
    expect((first.structuredContent as Listing).playbooks).toHaveLength(100);
    expect(textOf(first)).toContain("call list_playbooks with offset 100");
    const rest = await callTool(paged, "list_playbooks", { include_starters: false, offset: 100 });
    expect(rest.structuredContent).toMatchObject({ total: 101, next_offset: null });
    expect((rest.structuredContent as Listing).playbooks).toHaveLength(1);
    const ids = new Set(
      [first, rest].flatMap((r) => (r.structuredContent as Listing).playbooks.map((p) => p.id)),
    );
    expect(ids.size).toBe(101);
    const { resources } = await paged.listResources();
    const listed = new Set(resources.map((r) => r.uri));
    for (const id of ids) expect(listed.has(`playbook://${id}`)).toBe(true); // all pages, not the first 100
  });

  test("get_playbook's text is the playbook; section filters; version picks an old one", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const whole = await callTool(client, "get_playbook", { playbook_id: id });
    expect(textOf(whole)).toBe(SAMPLE_PLAYBOOK);
    expect(whole.structuredContent).toMatchObject({ id, name: "mine", version_number: 1, bullet_count: 3 });
    const section = await callTool(client, "get_playbook", {
      playbook_id: id,
      section: "common mistakes to avoid:",
    });
    expect(textOf(section)).toBe(
      "## COMMON MISTAKES TO AVOID\n[err-00003] helpful=0 harmful=0 :: Do not edit generated files.",
    );
    const edited = SAMPLE_PLAYBOOK.replace("Run the narrowest test first.", "Run one test first.");
    await app.fetch(`/v1/playbooks/${id}/versions`, { method: "POST", json: { content: edited }, headers });
    expect(textOf(await callTool(client, "get_playbook", { playbook_id: id }))).toBe(edited);
    const old = await callTool(client, "get_playbook", { playbook_id: id, version: 1 });
    expect(textOf(old)).toBe(SAMPLE_PLAYBOOK);
    expect(old.structuredContent).toMatchObject({ version_number: 1 });
  });

  test("an unknown section or version is a tool error that says what exists", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const section = await callTool(client, "get_playbook", { playbook_id: id, section: "nope" });
    expect(section.isError).toBe(true);
    expect(textOf(section)).toContain('"STRATEGIES & INSIGHTS", "COMMON MISTAKES TO AVOID"');
    const version = await callTool(client, "get_playbook", { playbook_id: id, version: 9 });
    expect(textOf(version)).toContain("Version 9 of this playbook does not exist");
    const huge = await callTool(client, "get_playbook", { playbook_id: id, version: 99_999_999_999 });
    expect(huge.isError).toBe(true);
    expect(textOf(huge)).toContain("does not exist");
  });

  test("create_playbook copies a starter, which itself refuses outcomes until copied", async () => {
    const listing = (await callTool(client, "list_playbooks")).structuredContent as Listing;
    const mine = new Set(
      (
        (await callTool(client, "list_playbooks", { include_starters: false })).structuredContent as Listing
      ).playbooks.map((p) => p.id),
    );
    const starter = listing.playbooks.find((p) => !mine.has(p.id));
    if (!starter) throw new Error("no starter seeded");
    const refused = await callTool(client, "report_outcome", {
      playbook_id: starter.id,
      task_description: "t",
      outcome: "success",
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("create_playbook");
    const created = await callTool(client, "create_playbook", { name: "my copy", starter_id: starter.id });
    expect(created.structuredContent).toMatchObject({
      name: "my copy",
      cloned_from_id: starter.id,
      bullet_count: starter.bullet_count,
    });
    const empty = await callTool(client, "create_playbook", { name: "blank" });
    expect(empty.structuredContent).toMatchObject({ bullet_count: 0, cloned_from_id: null });
  });
});

describe("loop tools", () => {
  test("report_outcome records, counts pending, and a retried client_outcome_id counts once", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const args = {
      playbook_id: id,
      task_description: "fix the build",
      outcome: "partial",
      bullets_used: ["str-00001"],
      client_outcome_id: "run-1",
    };
    const first = await callTool(client, "report_outcome", args);
    expect(first.structuredContent).toMatchObject({ status: "recorded", pending_outcomes: 1 });
    const again = await callTool(client, "report_outcome", args);
    expect(again.structuredContent).toEqual(first.structuredContent ?? {});
  });

  test("an oversized reasoning_trace is a tool error naming the field and the limit", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const result = await callTool(client, "report_outcome", {
      playbook_id: id,
      task_description: "t",
      outcome: "failure",
      reasoning_trace: "x".repeat(10 * 1024 + 1),
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("reasoning_trace is 10241 bytes; the limit is 10240 bytes");
  });

  test("an unpaired surrogate is a tool error naming the field, not silently altered", async () => {
    const created = await callTool(client, "create_playbook", { name: "lone \ud800 surrogate" });
    expect(created.isError).toBe(true);
    expect(textOf(created)).toContain("name contains a character that cannot be stored");
  });

  test("the outcome rate limit is a tool error telling the agent how long to wait", async () => {
    const own = (await agentKey(app)).headers;
    const agent = await connectMcp(app, own);
    const id = await restPlaybook(app, own, SAMPLE_PLAYBOOK);
    const report = (i: number) =>
      callTool(agent, "report_outcome", { playbook_id: id, task_description: `t${i}`, outcome: "success" });
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await report(i)); // the limit is 6 per hour
    expect(results.slice(0, 6).every((r) => !r.isError)).toBe(true);
    const last = results[6] ?? results[0]!;
    expect(textOf(last)).toMatch(/^Error \(rate_limited\).*Wait \d+ seconds/);
  });

  test("trigger_evolution is idempotent while active and get_evolution_status reports the job", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    await callTool(client, "report_outcome", { playbook_id: id, task_description: "t", outcome: "success" });
    const first = await callTool(client, "trigger_evolution", { playbook_id: id });
    expect(first.structuredContent).toMatchObject({ status: "queued", is_new: true });
    const second = await callTool(client, "trigger_evolution", { playbook_id: id });
    expect(second.structuredContent).toMatchObject({
      job_id: (first.structuredContent as { job_id: string }).job_id,
      is_new: false,
    });
    const status = await callTool(client, "get_evolution_status", {
      job_id: (first.structuredContent as { job_id: string }).job_id,
    });
    expect(status.structuredContent).toEqual({
      job_id: expect.any(String),
      status: "queued",
      outcomes_processed: 0,
      started_at: null,
      completed_at: null,
      error_message: null,
      result_summary: null,
      refusals: null,
    });
  });
});

describe("resources", () => {
  test("playbooks are listed as playbook://{id} and read as markdown", async () => {
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(`playbook://${id}`);
    const read = await client.readResource({ uri: `playbook://${id}` });
    expect(read.contents[0]).toMatchObject({
      uri: `playbook://${id}`,
      mimeType: "text/markdown",
      text: SAMPLE_PLAYBOOK,
    });
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates[0]?.uriTemplate).toBe("playbook://{id}");
  });
});
