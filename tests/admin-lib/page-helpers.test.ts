import { describe, expect, test } from "bun:test";
import { readChangeLog } from "../../admin/src/routes/playbooks/[id]/history/change-log.ts";
import {
  type AuditEvent,
  clientName,
  eventDetail,
  eventLabel,
} from "../../admin/src/routes/security/labels.ts";
import { monthQuery, rangeQuery } from "../../admin/src/routes/usage/usage.ts";

const event = (type: string, details: Record<string, unknown> = {}): AuditEvent => ({
  id: "e",
  type,
  ip_address: null,
  user_agent: null,
  details,
  created_at: "2026-12-02T10:00:00Z",
});

describe("security labels", () => {
  test("every type reads as words; an unknown one still does", () => {
    expect(eventLabel("refresh_token_reuse_detected")).toContain("session was ended");
    expect(eventLabel("something_new")).toBe("something new");
  });

  test("details name the key, the rename, the lock and the sessions ended", () => {
    expect(eventDetail(event("api_key_created", { name: "ci", prefix: "ace_ab12", scopes: ["read"] }))).toBe(
      "“ci” (ace_ab12…) · scopes: read",
    );
    expect(eventDetail(event("api_key_revoked", { name: "ci", prefix: "ace_ab12" }))).toBe(
      "“ci” (ace_ab12…)",
    );
    expect(eventDetail(event("api_key_renamed", { name: "b", previous_name: "a" }))).toBe("“a” → “b”");
    expect(eventDetail(event("account_locked", { locked_seconds: 900 }))).toBe("for 15 min");
    expect(eventDetail(event("signed_out_everywhere", { sessions_ended: 1 }))).toBe("1 session ended");
    expect(eventDetail(event("signed_in"))).toBeNull();
  });

  test("client names from user agents", () => {
    expect(
      clientName(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
      ),
    ).toBe("Chrome on Linux");
    expect(
      clientName("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0; rv:130.0) Gecko/20100101 Firefox/130.0"),
    ).toBe("Firefox on macOS");
    expect(clientName("curl/8.5.0")).toBe("curl");
    expect(clientName(null)).toBe("Unknown client");
  });
});

describe("change log", () => {
  test("reads the engine's entries, tolerating missing fields", () => {
    const [update, refused, junk] = readChangeLog([
      {
        op: "UPDATE",
        status: "applied",
        source: "curator",
        bulletIds: ["str-00002"],
        before: [{ id: "str-00002", section: "S", content: "old text" }],
        after: { id: "str-00002", section: "S", content: "new text" },
        reason: "sharpen",
      },
      { op: "ADD", status: "rejected", source: "curator", rejection: "near duplicate" },
      { nonsense: true },
    ]);
    expect(update).toMatchObject({
      op: "UPDATE",
      applied: true,
      before: "old text",
      after: "new text",
      section: "S",
    });
    expect(update?.reason).toBe("sharpen");
    expect(refused).toMatchObject({ applied: false, rejection: "near duplicate", bulletIds: [] });
    expect(junk).toMatchObject({ op: "?", applied: true, before: null, after: null });
  });
});

describe("usage ranges", () => {
  const now = new Date("2026-12-02T15:00:00Z");
  test("30 days including today, 12 weeks, 12 months; this month from the 1st (UTC)", () => {
    expect(rangeQuery("30d", now)).toEqual({ from: "2026-11-03", to: "2026-12-02", granularity: "day" });
    expect(rangeQuery("12w", now).granularity).toBe("week");
    expect(rangeQuery("12m", now)).toEqual({ from: "2025-12-03", to: "2026-12-02", granularity: "month" });
    expect(monthQuery(now)).toEqual({ from: "2026-12-01", to: "2026-12-02", granularity: "month" });
  });
});
