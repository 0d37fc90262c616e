import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { sql } from "slonik";
import { z } from "zod";
import { type Composition, compose } from "../../boot/compose.ts";
import { createLogger } from "../../core/logger.ts";
import { startWorker, type WorkerHandle } from "../../worker/runner.ts";
import { createTestApp, type TestApp } from "../support/app.ts";
import { bearer, freshIp, newKey, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";
import { type FakeLlm, fakeLlmClient, startFakeLlm } from "../support/fake-llm.ts";
import { openEventStream } from "../support/sse.ts";

/**
 * Issue 14, live: a running evolution's status and its new version reach the owner's dashboard
 * over server-sent events within 2 s, fed by NOTIFY from the transactions that write them; nobody
 * else sees them.
 */

const db = useTestDatabase();
let app: TestApp;
let server: { url: string; stop(): Promise<void> };
let fake: FakeLlm;
let worker: WorkerHandle;
let workerHalf: Composition;

beforeAll(async () => {
  app = createTestApp(db.pool, {
    EVOLUTION_OUTCOME_THRESHOLD: "2",
    EVENTS_STREAMS_PER_USER: "2",
    EVENTS_PING_SECONDS: "1",
  });
  server = app.listen();
  fake = await startFakeLlm({ instant: true });
  workerHalf = await compose(app.config, db.url, "worker", {
    logger: createLogger("silent"),
    llm: fakeLlmClient(fake),
  });
  worker = await startWorker(db.url, workerHalf.deps, { pollIntervalMs: 50 });
});

db.beforeDrop(async () => {
  app.deps.core.events.closeAll();
  await server?.stop();
  await worker?.stop();
  await workerHalf?.close();
  await fake?.stop();
});
afterAll(() => app.deps.core.events.closeAll());

async function streamToken(accessToken: string) {
  const response = await app.fetch("/v1/events/tokens", { method: "POST", headers: bearer(accessToken) });
  expect(response.status).toBe(201);
  return (await response.json()) as { token: string; url: string; expires_at: string };
}

async function connect(accessToken: string) {
  const { url } = await streamToken(accessToken);
  const stream = await openEventStream(`${server.url}${url}`);
  expect(stream.response.status).toBe(200);
  expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
  await stream.waitFor((e) => e.event === "ready");
  return stream;
}

async function playbookOf(accessToken: string) {
  const response = await app.fetch("/v1/playbooks", {
    method: "POST",
    json: { name: "p", content: SAMPLE_PLAYBOOK },
    headers: bearer(accessToken),
  });
  return ((await response.json()) as { id: string }).id;
}

const report = (accessToken: string, id: string, i: number) =>
  app.fetch(`/v1/playbooks/${id}/outcomes`, {
    method: "POST",
    json: { task_description: `task ${i}`, outcome: "success", bullets_used: ["str-00001"] },
    headers: bearer(accessToken),
  });

describe("GET /v1/events", () => {
  test("the owner sees outcome, evolution queued → running → completed and the new version within 2 s; B sees nothing", async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const id = await playbookOf(a.access_token);
    const streamA = await connect(a.access_token);
    const streamB = await connect(b.access_token);

    expect((await report(a.access_token, id, 1)).status).toBe(201);
    expect((await streamA.waitFor((e) => e.event === "outcome")).data).toEqual({
      type: "outcome",
      playbook_id: id,
      pending: 1,
    });
    await report(a.access_token, id, 2); // the threshold: an evolution is queued
    const version = await streamA.waitFor((e) => e.event === "version", 15_000);
    expect(version.data).toEqual({ type: "version", playbook_id: id, version: 2, origin: "evolution" });
    const completed = await streamA.waitFor((e) => e.event === "evolution" && e.data.status === "completed");
    const statuses = streamA.events.filter((e) => e.event === "evolution").map((e) => e.data.status);
    expect(statuses).toEqual(["queued", "running", "completed"]);
    const jobId = completed.data.job_id as string;
    expect(streamA.events.filter((e) => e.event === "evolution").every((e) => e.data.job_id === jobId)).toBe(
      true,
    );
    await streamA.waitFor((e) => e.event === "outcome" && e.data.pending === 0);

    // within 2 s of the database's own timestamps
    const job = await db.pool.one(sql.type(z.object({ started_at: z.date(), completed_at: z.date() }))`
      select started_at, completed_at from evolution_jobs where id = ${jobId}`);
    const running = streamA.events.find((e) => e.event === "evolution" && e.data.status === "running")!;
    expect(running.at - job.started_at.getTime()).toBeLessThan(2_000);
    expect(version.at - job.completed_at.getTime()).toBeLessThan(2_000);
    expect(completed.at - job.completed_at.getTime()).toBeLessThan(2_000);

    expect(streamB.events.map((e) => e.event)).toEqual(["ready"]);
    // events carry no playbook content, and the token never reaches the logs
    expect(JSON.stringify(streamA.events)).not.toContain("str-00001");
    await streamA.cancel();
    await streamB.cancel();
  }, 30_000);

  test("pings as comments; logging out ends the stream with event: end", async () => {
    const a = await signUp(app);
    const { url, token } = await streamToken(a.access_token);
    const stream = await openEventStream(`${server.url}${url}`);
    await stream.waitFor((e) => e.event === "ready");
    const deadline = Date.now() + 3_000;
    while (stream.comments.filter((c) => c === ": ping").length === 0 && Date.now() < deadline)
      await Bun.sleep(50);
    expect(stream.comments).toContain(": ping");
    const out = await app.fetch("/v1/auth/logout", {
      method: "POST",
      json: { refresh_token: a.refresh_token },
      ip: freshIp(),
    });
    expect(out.status).toBe(204);
    expect((await stream.waitFor((e) => e.event === "end", 2_000)).data).toEqual({ reason: "session_ended" });
    await stream.closed;
    // a token of the ended session opens nothing, and no log line holds a token
    expect((await fetch(`${server.url}${url}`)).status).toBe(401);
    expect(JSON.stringify(app.logs)).not.toContain(token);
  });

  test("expired, forged and access tokens are 401; API keys get no token; too many streams 429", async () => {
    const a = await signUp(app);
    const events = (token: string) => fetch(`${server.url}/v1/events?token=${encodeURIComponent(token)}`);
    expect((await events(a.access_token)).status).toBe(401);
    expect((await events("not-a-token")).status).toBe(401);
    expect((await fetch(`${server.url}/v1/events`)).status).toBe(422);
    const { sid } = JSON.parse(Buffer.from(a.access_token.split(".")[1]!, "base64url").toString()) as {
      sid: string;
    };
    const sign = (secret: string, iat: number) =>
      new SignJWT({ typ: "stream", sid })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(a.user.id)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode(secret));
    const now = Math.floor(Date.now() / 1000);
    const forged = await events(await sign("another-secret-another-secret-0123456789", now));
    expect(forged.status).toBe(401);
    const expired = await events(await sign(app.config.auth.jwtSecret!, now - 120));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toContain("expired");
    const fine = await events(await sign(app.config.auth.jwtSecret!, now));
    expect(fine.status).toBe(200);
    await fine.body?.cancel();

    const key = await newKey(app, a.access_token);
    expect((await app.fetch("/v1/events/tokens", { method: "POST", headers: bearer(key.key) })).status).toBe(
      403,
    );
    expect((await app.fetch("/v1/events/tokens", { method: "POST" })).status).toBe(401);

    const first = await connect(a.access_token);
    const second = await connect(a.access_token);
    const third = await events((await streamToken(a.access_token)).token);
    expect(third.status).toBe(429);
    await first.cancel();
    await first.closed;
    // a closed stream frees its place
    let retried = 0;
    for (; retried < 40; retried++) {
      const again = await events((await streamToken(a.access_token)).token);
      if (again.status === 200) {
        await again.body?.cancel();
        break;
      }
      await Bun.sleep(50);
    }
    expect(retried).toBeLessThan(40);
    await second.cancel();
  });

  test("closeAll (shutdown) ends open streams so server.stop() does not wait on them", async () => {
    const a = await signUp(app);
    const own = createTestApp(db.pool);
    const listener = own.listen();
    const { url } = (await (
      await own.fetch("/v1/events/tokens", { method: "POST", headers: bearer(a.access_token) })
    ).json()) as { url: string };
    const stream = await openEventStream(`${listener.url}${url}`);
    await stream.waitFor((e) => e.event === "ready");
    own.deps.core.events.closeAll();
    expect((await stream.waitFor((e) => e.event === "end", 2_000)).data).toEqual({ reason: "shutdown" });
    await stream.closed;
    expect(own.deps.core.events.openStreams()).toBe(0);
    await listener.stop();
  });
});
