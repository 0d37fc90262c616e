import { beforeAll, describe, expect, test } from "bun:test";
import { type Composition, compose } from "../../boot/compose.ts";
import { createLogger } from "../../core/logger.ts";
import { startWorker, type WorkerHandle } from "../../worker/runner.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually, SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { type FakeLlm, fakeLlmClient, startFakeLlm } from "../support/fake-llm.ts";
import { agentKey, callTool, connectMcp, restPlaybook, textOf } from "../support/mcp.ts";

const db = useTestDatabase();
let app: TestApp;
let fake: FakeLlm;
let worker: WorkerHandle;
let workerHalf: Composition;

beforeAll(async () => {
  app = createTestApp(db.pool, { EVOLUTION_OUTCOME_THRESHOLD: "5" });
  fake = await startFakeLlm({ instant: true });
  const llm = fakeLlmClient(fake);
  workerHalf = await compose(app.config, db.url, "worker", { logger: createLogger("silent"), llm });
  worker = await startWorker(db.url, workerHalf.deps, { pollIntervalMs: 50 });
});

db.beforeDrop(async () => {
  await worker?.stop();
  await workerHalf?.close();
  await fake?.stop();
});

describe("the agent loop over MCP", () => {
  test("5 reported outcomes evolve the playbook and get_playbook returns version 2", async () => {
    const { headers } = await agentKey(app);
    const client = await connectMcp(app, headers);
    const id = await restPlaybook(app, headers, SAMPLE_PLAYBOOK);
    const before = await callTool(client, "get_playbook", { playbook_id: id });
    expect(before.structuredContent).toMatchObject({ version_number: 1 });
    let jobId = "";
    for (let i = 0; i < 5; i++) {
      const result = await callTool(client, "report_outcome", {
        playbook_id: id,
        task_description: `task ${i}`,
        outcome: i % 2 ? "failure" : "success",
        bullets_used: ["str-00001"],
        reasoning_trace: "Read the failing test, then ran it alone.",
      });
      expect(result.structuredContent).toMatchObject({ status: "recorded", pending_outcomes: i + 1 });
      jobId = (result.structuredContent as { queued_evolution_id: string | null }).queued_evolution_id ?? "";
      expect({ i, queued: jobId !== "" }).toEqual({ i, queued: i === 4 }); // the 5th report queued it
    }
    expect(textOf(await callTool(client, "get_evolution_status", { job_id: jobId }))).toBeString();
    // REST shows the same job (it may already be done).
    const detail = await (await app.fetch(`/v1/playbooks/${id}`, { headers })).json();
    expect((detail.active_evolution ?? detail.last_evolution).job_id).toBe(jobId);
    const done = await eventually(async () => {
      const status = await callTool(client, "get_evolution_status", { job_id: jobId });
      const s = status.structuredContent as { status: string };
      return (s.status === "completed" || s.status === "failed") && s;
    });
    expect(done).toMatchObject({ status: "completed", outcomes_processed: 5, error_message: null });
    // The guards' verdicts travel with the status, as they do over REST.
    const rest = await (await app.fetch(`/v1/evolutions/${jobId}`, { headers })).json();
    expect(done).toMatchObject({ result_summary: rest.result_summary, refusals: rest.refusals });
    expect((done as unknown as { refusals: { total: number } | null }).refusals).toMatchObject({
      total: expect.any(Number),
    });
    const after = await callTool(client, "get_playbook", { playbook_id: id });
    expect(after.structuredContent).toMatchObject({ version_number: 2 });
    expect(textOf(after)).not.toBe(SAMPLE_PLAYBOOK);
  });
});
