import { describe, expect, test } from "bun:test";
import { errorExamples, examples } from "../../api/examples.ts";
import { adminExamples } from "../../api/examples-admin.ts";
import { ErrorEnvelope } from "../../api/schemas.ts";
import { StreamToken } from "../../core/events/index.ts";
import { EvolveNowAvailability, TriggerResult } from "../../core/evolution/index.ts";
import { OutcomeRecorded, ReportOutcome } from "../../core/outcomes/index.ts";
import {
  CreatePlaybook,
  CreateVersion,
  PlaybookDetail,
  UpdatePlaybook,
  VersionDiff,
} from "../../core/playbooks/index.ts";
import { UsageSummary } from "../../core/usage/index.ts";
import { createTestApp } from "../support/app.ts";
import { useTestDatabase } from "../support/db.ts";

const db = useTestDatabase();

type Operation = {
  requestBody?: { required: boolean; content: Record<string, { schema: { examples?: unknown[] } }> };
  responses: Record<string, { content?: Record<string, { schema?: { examples?: unknown[] } }> }>;
};

async function operations() {
  const spec = await (await createTestApp(db.pool).fetch("/openapi.json")).json();
  const all: Array<[string, Operation]> = [];
  for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, Operation>>))
    for (const [method, op] of Object.entries(ops)) all.push([`${method.toUpperCase()} ${path}`, op]);
  return all;
}

describe("the OpenAPI document", () => {
  test("every example matches the schema it illustrates", () => {
    expect(() => CreatePlaybook.parse(examples.createPlaybook)).not.toThrow();
    expect(() => CreatePlaybook.parse(examples.createFromStarter)).not.toThrow();
    expect(() => UpdatePlaybook.parse(examples.updatePlaybook)).not.toThrow();
    expect(() => CreateVersion.parse(examples.createVersion)).not.toThrow();
    expect(() => ReportOutcome.parse(examples.reportOutcome)).not.toThrow();
    expect(() => PlaybookDetail.parse(examples.playbookDetail)).not.toThrow();
    expect(() => OutcomeRecorded.parse(examples.outcomeRecorded)).not.toThrow();
    expect(() => VersionDiff.parse(examples.versionDiff)).not.toThrow();
    expect(() => TriggerResult.parse(examples.triggerResult)).not.toThrow();
    expect(() => UsageSummary.parse(adminExamples.usageSummary)).not.toThrow();
    expect(() => StreamToken.parse(adminExamples.streamToken)).not.toThrow();
    for (const example of adminExamples.availability)
      expect(() => EvolveNowAvailability.parse(example)).not.toThrow();
    for (const error of Object.values(errorExamples))
      expect(() => ErrorEnvelope.parse({ error: { ...error, request_id: "r" } })).not.toThrow();
  });

  test("bodies are JSON only, with the 415 for anything else documented", async () => {
    for (const [name, op] of await operations()) {
      if (!op.requestBody) continue;
      expect({ name, types: Object.keys(op.requestBody.content) }).toEqual({
        name,
        types: ["application/json"],
      });
      expect({ name, has415: "415" in op.responses }).toEqual({ name, has415: true });
    }
  });

  test("every documented error carries an example in the envelope", async () => {
    for (const [name, op] of await operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!status.startsWith("4")) continue;
        const json = response.content?.["application/json"] as
          | { schema?: { examples?: unknown[] }; example?: unknown }
          | undefined;
        const example = json?.example ?? json?.schema?.examples?.[0];
        expect({ name, status, parsed: ErrorEnvelope.safeParse(example).success }).toEqual({
          name,
          status,
          parsed: true,
        });
      }
    }
  });

  test("204s, optional bodies and text downloads are documented as served", async () => {
    const ops = Object.fromEntries(await operations());
    expect(Object.keys(ops["POST /v1/auth/logout"]!.responses)).toContain("204");
    expect(Object.keys(ops["DELETE /v1/auth/api-keys/{id}"]!.responses)).toContain("204");
    expect(ops["POST /v1/auth/refresh"]!.requestBody!.required).toBe(false);
    expect(ops["POST /v1/auth/login"]!.requestBody!.required).toBe(true);
    for (const name of ["GET /v1/playbooks/{id}", "GET /v1/playbooks/{id}/versions/{v}"])
      expect(Object.keys(ops[name]!.responses["200"]!.content ?? {})).toContain("text/markdown");
    const raw = JSON.stringify(ops);
    expect(raw).not.toContain("x-no-content");
    expect(raw).not.toContain("x-text-download");
  });
});

describe("Swagger UI at /docs", () => {
  test("works offline: every asset the page loads is served here, none from elsewhere", async () => {
    const app = createTestApp(db.pool);
    const page = await app.fetch("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//); // no CDN or other host
    const assets = [...html.matchAll(/(?:src|href)=["']?([^"' >]+)/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"]),
    );
    for (const asset of assets) {
      const response = await app.fetch(asset);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(html).toContain("openapi.json");
  });

  test('"/docs/" redirects to "/docs", where the relative document URL resolves', async () => {
    const response = await createTestApp(db.pool).fetch("/docs/", { redirect: "manual" });
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("http://localhost/docs");
  });
});
