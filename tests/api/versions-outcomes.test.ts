import { beforeAll, describe, expect, test } from "bun:test";
import { seedStarters } from "../../core/playbooks/index.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, newKey, signUp } from "../support/auth.ts";
import { LLM_CONFIGURED } from "../support/config.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";

const db = useTestDatabase();
let app: TestApp;
let alice: Record<string, string>;
let bob: Record<string, string>;
let aliceToken: string;

beforeAll(async () => {
  await seedStarters(db.pool);
  app = createTestApp(db.pool, {
    RATE_LIMIT_OUTCOMES_PER_HOUR: "8",
    EVOLUTION_OUTCOME_THRESHOLD: "50",
    ...LLM_CONFIGURED,
  });
  aliceToken = (await signUp(app)).access_token;
  alice = bearer(aliceToken);
  bob = bearer((await signUp(app)).access_token);
});

async function newPlaybook(headers = alice, content = SAMPLE_PLAYBOOK) {
  const response = await app.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "p", content },
    headers,
  });
  return (await response.json()).id as string;
}

const json = async (response: Response) => ({ status: response.status, body: await response.json() });

describe("versions routes", () => {
  test("edit, list, read as JSON and text, diff, restore", async () => {
    const id = await newPlaybook();
    const edited = SAMPLE_PLAYBOOK.replace(
      "Run the narrowest test first.",
      "Run the narrowest failing test first.",
    );
    const v2 = await json(
      await app.fetch(`/v1/playbooks/${id}/versions`, {
        method: "POST",
        json: { content: edited },
        headers: alice,
      }),
    );
    expect(v2).toMatchObject({ status: 201, body: { version_number: 2, origin: "manual" } });
    const list = await json(await app.fetch(`/v1/playbooks/${id}/versions`, { headers: alice }));
    expect(list.body.items.map((v: { version_number: number }) => v.version_number)).toEqual([2, 1]);
    const v1 = await json(await app.fetch(`/v1/playbooks/${id}/versions/1`, { headers: alice }));
    expect(v1.body.content).toBe(SAMPLE_PLAYBOOK);
    const text = await app.fetch(`/v1/playbooks/${id}/versions/1?format=text`, { headers: alice });
    expect(await text.text()).toBe(SAMPLE_PLAYBOOK);
    const diff = await json(await app.fetch(`/v1/playbooks/${id}/versions/2/diff`, { headers: alice }));
    expect(diff.body).toMatchObject({
      from_version: 1,
      to_version: 2,
      bullets: { added: [], changed: ["str-00002"], removed: [] },
    });
    expect(diff.body.unified_diff).toContain(
      "+[str-00002] helpful=0 harmful=0 :: Run the narrowest failing test first.",
    );
    const restored = await json(
      await app.fetch(`/v1/playbooks/${id}/versions/1/restore`, { method: "POST", headers: alice }),
    );
    expect(restored).toMatchObject({ status: 201, body: { version_number: 3, content: SAMPLE_PLAYBOOK } });
  });

  test("restoring the version that is current (or one it equals) answers it: 200, no new version", async () => {
    const id = await newPlaybook();
    const restore = async (v: number) =>
      json(await app.fetch(`/v1/playbooks/${id}/versions/${v}/restore`, { method: "POST", headers: alice }));
    expect(await restore(1)).toMatchObject({
      status: 200,
      body: { version_number: 1, content: SAMPLE_PLAYBOOK },
    });
    const edited = SAMPLE_PLAYBOOK.replace("Run the narrowest test first.", "Run one test first.");
    await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      json: { content: edited },
      headers: alice,
    });
    expect(await restore(1)).toMatchObject({
      status: 201,
      body: { version_number: 3, content: SAMPLE_PLAYBOOK },
    });
    // version 3 is current and equals version 1: restoring either changes nothing
    expect(await restore(1)).toMatchObject({ status: 200, body: { version_number: 3 } });
    expect(await restore(3)).toMatchObject({ status: 200, body: { version_number: 3 } });
    const list = await json(await app.fetch(`/v1/playbooks/${id}/versions`, { headers: alice }));
    expect(list.body.items.map((v: { version_number: number }) => v.version_number)).toEqual([3, 2, 1]);
  });

  test("errors: unknown version 404, bad content 422, diff of v1 422", async () => {
    const id = await newPlaybook();
    expect((await app.fetch(`/v1/playbooks/${id}/versions/7`, { headers: alice })).status).toBe(404);
    expect((await app.fetch(`/v1/playbooks/${id}/versions/x`, { headers: alice })).status).toBe(404);
    expect((await app.fetch(`/v1/playbooks/${id}/versions/1/diff`, { headers: alice })).status).toBe(422);
    const bad = await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      json: { content: "## A\n[a-1]\n" },
      headers: alice,
    });
    expect(bad.status).toBe(422);
    expect(
      (await app.fetch(`/v1/playbooks/${id}/versions`, { method: "POST", json: {}, headers: alice })).status,
    ).toBe(422);
  });

  test("pagination: bounds are 422 naming the parameter; past the end is an empty last page", async () => {
    const id = await newPlaybook();
    for (const n of [1, 2]) {
      await app.fetch(`/v1/playbooks/${id}/versions`, {
        method: "POST",
        json: { content: `${SAMPLE_PLAYBOOK}${"\n".repeat(n)}` },
        headers: alice,
      });
    }
    const first = await json(await app.fetch(`/v1/playbooks/${id}/versions?limit=2`, { headers: alice }));
    expect(first.body).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
    const last = await json(
      await app.fetch(`/v1/playbooks/${id}/versions?limit=2&offset=2`, { headers: alice }),
    );
    expect(last.body).toMatchObject({ total: 3, next_offset: null, items: [{ version_number: 1 }] });
    const beyond = await json(await app.fetch(`/v1/playbooks/${id}/versions?offset=50`, { headers: alice }));
    expect(beyond.body).toMatchObject({ total: 3, items: [], next_offset: null });
    for (const [query, name] of [
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=abc", "limit"],
      ["offset=-1", "offset"],
      ["limit=1.5", "limit"],
    ]) {
      for (const list of ["versions", "outcomes"]) {
        const bad = await json(await app.fetch(`/v1/playbooks/${id}/${list}?${query}`, { headers: alice }));
        expect({ list, query, status: bad.status }).toEqual({ list, query, status: 422 });
        expect(bad.body.error.message).toContain(name);
      }
    }
  });

  test("malformed playbook ids and version numbers are 404 on every version route", async () => {
    const id = await newPlaybook();
    for (const [path, method] of [
      ["/v1/playbooks/not-a-uuid/versions", "GET"],
      ["/v1/playbooks/not-a-uuid/versions/1", "GET"],
      ["/v1/playbooks/not-a-uuid/versions/1/diff", "GET"],
      ["/v1/playbooks/not-a-uuid/versions/1/restore", "POST"],
      [`/v1/playbooks/${id}/versions/-1`, "GET"],
      [`/v1/playbooks/${id}/versions/0`, "GET"],
      [`/v1/playbooks/${id}/versions/99999999999999999999`, "GET"],
      [`/v1/playbooks/${id}/versions/1.5/restore`, "POST"],
      ["/v1/playbooks/not-a-uuid/outcomes", "GET"],
    ] as const) {
      const response = await app.fetch(path, { method, headers: alice });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect((await response.json()).error.code).toBe("not_found");
    }
    const post = await app.fetch("/v1/playbooks/not-a-uuid/outcomes", {
      method: "POST",
      json: { task_description: "t", outcome: "success" },
      headers: alice,
    });
    expect(post.status).toBe(404);
  });

  test("Accept: text/markdown downloads a version as text", async () => {
    const id = await newPlaybook();
    const response = await app.fetch(`/v1/playbooks/${id}/versions/1`, {
      headers: { ...alice, accept: "text/markdown" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/markdown");
    expect(response.headers.get("content-disposition")).toContain("attachment");
    expect(await response.text()).toBe(SAMPLE_PLAYBOOK);
  });

  test("another user gets 404 on list, version, diff and restore", async () => {
    const id = await newPlaybook();
    await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      json: { content: `${SAMPLE_PLAYBOOK}\n` },
      headers: alice,
    });
    for (const [path, method] of [
      [`/v1/playbooks/${id}/versions`, "GET"],
      [`/v1/playbooks/${id}/versions/1`, "GET"],
      [`/v1/playbooks/${id}/versions/2/diff`, "GET"],
      [`/v1/playbooks/${id}/versions/1/restore`, "POST"],
    ] as const) {
      expect({ path, status: (await app.fetch(path, { method, headers: bob })).status }).toEqual({
        path,
        status: 404,
      });
    }
  });
});

describe("outcome routes", () => {
  const outcome = {
    task_description: "Fix the build",
    outcome: "failure",
    reasoning_trace: "tried x",
    bullets_used: ["str-00001"],
  };

  test("report (201), idempotent retry, list with filters", async () => {
    const id = await newPlaybook();
    const first = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: outcome,
        headers: { ...alice, "idempotency-key": "retry-1" },
      }),
    );
    expect(first).toMatchObject({ status: 201, body: { status: "recorded", pending_outcomes: 1 } });
    const retry = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: outcome,
        headers: { ...alice, "idempotency-key": "retry-1" },
      }),
    );
    expect(retry.body).toEqual(first.body);
    const list = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes?processed=false&status=failure`, { headers: alice }),
    );
    expect(list.body).toMatchObject({
      total: 1,
      items: [{ task_description: "Fix the build", outcome: "failure", processed_at: null }],
    });
  });

  test("oversized trace is 413 naming the field; bad status is 422 naming the field", async () => {
    const id = await newPlaybook();
    const big = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: { ...outcome, reasoning_trace: "x".repeat(10241) },
        headers: alice,
      }),
    );
    expect(big.status).toBe(413);
    expect(big.body.error.details.field).toBe("reasoning_trace");
    const notes = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: { ...outcome, notes: "é".repeat(1025) }, // 2050 bytes: the limit counts bytes, not characters
        headers: alice,
      }),
    );
    expect(notes.status).toBe(413);
    expect(notes.body.error.details.field).toBe("notes");
    expect(notes.body.error.message).toContain("2048");
    const bad = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: { ...outcome, outcome: "meh" },
        headers: alice,
      }),
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain("outcome");
    const missing = await json(
      await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: { outcome: "success" },
        headers: alice,
      }),
    );
    expect(missing.body.error.message).toContain("task_description: is required");
  });

  test("a NUL character or a lone surrogate in any field is a 422, not a 500", async () => {
    const id = await newPlaybook();
    for (const bad of [
      { task_description: "a\u0000" },
      { reasoning_trace: "\u0000" },
      { notes: "\u0000" },
      { bullets_used: ["str-00001\u0000"] },
      { bullets_used: ["\ud800"] },
      { task_description: "lone \udc00 low surrogate" },
      { notes: "\udfff\ud800" },
      { client_outcome_id: "run-\ud800" },
    ]) {
      const response = await json(
        await app.fetch(`/v1/playbooks/${id}/outcomes`, {
          method: "POST",
          json: { ...outcome, ...bad },
          headers: alice,
        }),
      );
      expect({ bad, status: response.status }).toEqual({ bad, status: 422 });
      expect(response.body.error.message).toContain("cannot be stored");
      expect(response.body.error.details.field).toStartWith(Object.keys(bad)[0]!);
    }
    const fine = await app.fetch(`/v1/playbooks/${id}/outcomes`, {
      method: "POST",
      json: { ...outcome, notes: "emoji 😀 (a proper surrogate pair) is fine" },
      headers: alice,
    });
    expect(fine.status).toBe(201);
  });

  test("starters refuse outcomes; other users get 404; a read-only key gets 403", async () => {
    const list = await (await app.fetch("/v1/playbooks?include_starters=true", { headers: alice })).json();
    const starter = list.items.find((p: { is_starter: boolean }) => p.is_starter);
    const refused = await json(
      await app.fetch(`/v1/playbooks/${starter.id}/outcomes`, {
        method: "POST",
        json: outcome,
        headers: alice,
      }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("copy");
    const id = await newPlaybook();
    expect(
      (await app.fetch(`/v1/playbooks/${id}/outcomes`, { method: "POST", json: outcome, headers: bob }))
        .status,
    ).toBe(404);
    expect((await app.fetch(`/v1/playbooks/${id}/outcomes`, { headers: bob })).status).toBe(404);
    const { key } = await newKey(app, aliceToken, { name: "reader", scopes: ["read"] });
    const keyed = await app.fetch(`/v1/playbooks/${id}/outcomes`, {
      method: "POST",
      json: outcome,
      headers: { "x-api-key": key },
    });
    expect(keyed.status).toBe(403);
  });

  test("the per-user rate limit answers 429 with Retry-After and RateLimit headers", async () => {
    const carol = bearer((await signUp(app)).access_token);
    const id = await newPlaybook(carol);
    let last: Response | undefined;
    for (let i = 0; i < 9; i++) {
      last = await app.fetch(`/v1/playbooks/${id}/outcomes`, {
        method: "POST",
        json: outcome,
        headers: carol,
      });
      if (i < 8) expect(last.status).toBe(201);
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(last!.headers.get("ratelimit-limit")).toBe("8");
  });
});

describe("evolution routes", () => {
  test("trigger (202 new, 200 existing), status, history; 409 with nothing to process", async () => {
    const id = await newPlaybook();
    const nothing = await app.fetch(`/v1/playbooks/${id}/evolutions`, { method: "POST", headers: alice });
    expect(nothing.status).toBe(409);
    await app.fetch(`/v1/playbooks/${id}/outcomes`, {
      method: "POST",
      json: { task_description: "t", outcome: "success" },
      headers: alice,
    });
    const first = await json(
      await app.fetch(`/v1/playbooks/${id}/evolutions`, { method: "POST", headers: alice }),
    );
    expect(first).toMatchObject({ status: 202, body: { status: "queued", is_new: true } });
    const again = await json(
      await app.fetch(`/v1/playbooks/${id}/evolutions`, { method: "POST", headers: alice }),
    );
    expect(again).toMatchObject({ status: 200, body: { job_id: first.body.job_id, is_new: false } });
    const status = await json(await app.fetch(`/v1/evolutions/${first.body.job_id}`, { headers: alice }));
    expect(status.body).toMatchObject({
      job_id: first.body.job_id,
      status: "queued",
      trigger: "manual",
      attempts: 0,
    });
    const history = await json(await app.fetch(`/v1/playbooks/${id}/evolutions`, { headers: alice }));
    expect(history.body.total).toBe(1);
    expect((await app.fetch(`/v1/evolutions/${first.body.job_id}`, { headers: bob })).status).toBe(404);
    expect((await app.fetch("/v1/evolutions/garbage", { headers: alice })).status).toBe(404);
    expect((await app.fetch(`/v1/playbooks/${id}/evolutions`, { method: "POST", headers: bob })).status).toBe(
      404,
    );
  });

  test("an API key needs the evolve scope", async () => {
    const id = await newPlaybook();
    const { key } = await newKey(app, aliceToken, { name: "writer" });
    const response = await app.fetch(`/v1/playbooks/${id}/evolutions`, {
      method: "POST",
      headers: { "x-api-key": key },
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toContain('"evolve"');
  });
});
