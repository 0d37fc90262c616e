import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "slonik";
import type { Caller } from "../../core/auth/caller.ts";
import { closeErrorTracking, initErrorTracking, scrubText } from "../../core/error-tracking.ts";
import type { LlmClient } from "../../core/llm/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { createTestDeps } from "../support/core.ts";
import { useTestDatabase } from "../support/db.ts";
import { eventually } from "../support/evolution.ts";
import { type FakeSentry, startFakeSentry } from "../support/fake-sentry.ts";

const db = useTestDatabase();
const CONTENT = "## STRATEGIES\n[str-00001] helpful=0 harmful=0 :: the-private-playbook-line\n";
let app: TestApp;
let sentry: FakeSentry;
let apiKey = "";
let accessToken = "";
let playbookId = "";
let userId = "";

/** A 500 for real: the outcomes table is gone while the request runs. */
async function failingRequest(requestId: string): Promise<Response> {
  await db.pool.query(sql.unsafe`alter table outcomes rename to outcomes_away`);
  try {
    return await app.fetch(`/v1/playbooks/${playbookId}/outcomes`, {
      headers: { "x-api-key": apiKey, "x-request-id": requestId, cookie: "ace_refresh=cookie-secret" },
    });
  } finally {
    await db.pool.query(sql.unsafe`alter table outcomes_away rename to outcomes`);
  }
}

beforeAll(async () => {
  sentry = startFakeSentry();
  app = createTestApp(db.pool);
  const session = await signUp(app);
  accessToken = session.access_token;
  userId = session.user.id;
  apiKey = (await newKey(app, accessToken)).key;
  const created = await app.fetch("/v1/playbooks", {
    method: "POST",
    headers: bearer(accessToken),
    json: { name: "tracked", content: CONTENT },
  });
  playbookId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await closeErrorTracking();
  sentry.stop();
});

describe("error tracking (a fake Sentry ingest server)", () => {
  test("without SENTRY_DSN a 500 sends nothing", async () => {
    const response = await failingRequest("req-before-init");
    expect(response.status).toBe(500);
    // Checked again after the SDK ran: had anything been queued, the flush would have sent it.
  });

  test("a 500 arrives with its request id, and without secrets or content", async () => {
    await initErrorTracking({ dsn: sentry.dsn, environment: "test", role: "all" });
    const response = await failingRequest("req-sentry-500");
    expect(response.status).toBe(500);
    expect(response.headers.get("x-request-id")).toBe("req-sentry-500");
    const event = await eventually(async () =>
      sentry.events().find((e) => e.tags?.request_id === "req-sentry-500"),
    );
    expect(event.tags).toMatchObject({ transport: "rest", route: "/v1/playbooks/:id/outcomes", role: "all" });
    expect(JSON.stringify(event.exception)).toContain("outcomes");
    expect(event.user).toBeUndefined();
    expect(event.request).toBeUndefined();
    const everything = sentry.raw.join("\n");
    for (const secret of [apiKey, accessToken, "cookie-secret", "the-private-playbook-line", userId]) {
      expect(everything).not.toContain(secret);
    }
  });

  test("an evolution that crashes arrives with its job id; secrets in the error are scrubbed", async () => {
    const crashing: LlmClient = {
      models: { reflector: "m", curator: "m" },
      generate: async () => {
        throw new Error("wiring bug near ace_live_0123456789abcdef and postgres://ace:hunter2@db/ace");
      },
    };
    const deps = createTestDeps(db.pool, { llm: crashing });
    const caller: Caller = { userId, scopes: ["read", "write", "evolve"], via: "jwt", apiKeyId: null };
    await deps.core.outcomes.report(caller, playbookId, {
      task_description: "a task",
      outcome: "success",
      reasoning_trace: "secret-trace-text",
    });
    const job = await deps.core.evolutions.trigger(caller, playbookId);
    const result = await deps.core.evolutions.run(
      { job_id: job.job_id, playbook_id: playbookId },
      { number: 1, max: 1 },
    );
    expect(result).toBe("failed");
    const event = await eventually(async () => sentry.events().find((e) => e.tags?.job_id === job.job_id));
    const text = JSON.stringify(event);
    expect(text).toContain("wiring bug"); // the cause travels along (linked errors)
    expect(text).not.toContain("ace_live_0123456789abcdef");
    expect(text).not.toContain("hunter2");
    expect(sentry.raw.join("\n")).not.toContain("secret-trace-text");
  });

  test("the request from before the DSN was set never arrived", async () => {
    await closeErrorTracking(); // flushes anything queued
    expect(sentry.events().some((e) => e.tags?.request_id === "req-before-init")).toBe(false);
    expect((await failingRequest("req-after-close")).status).toBe(500);
    expect(sentry.events().some((e) => e.tags?.request_id === "req-after-close")).toBe(false);
  });
});

describe("scrubText", () => {
  test("API keys, JWTs, bearer tokens, provider keys and URL passwords go; the rest stays", () => {
    const text = scrubText(
      "key ace_abcdefgh12345678 jwt eyJhbGciOi.eyJzdWIiOi.sig Bearer xyz sk-proj-abcdefghijk postgres://u:p4ss@h/db ok",
    );
    expect(text).toBe(
      "key ace_[redacted] jwt [jwt redacted] Bearer [redacted] sk-[redacted] postgres://[redacted]@h/db ok",
    );
    expect(scrubText("x".repeat(2000))).toHaveLength(1000 + "… [truncated]".length);
  });
});
