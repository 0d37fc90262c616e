/** Readable text for each audit event type (core/audit/schemas.ts AUDIT_EVENT_TYPES). */

export type AuditEvent = {
  id: string;
  type: string;
  ip_address: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
  created_at: string;
};

export const EVENT_LABELS: Record<string, { label: string; tone: "normal" | "warning" | "danger" }> = {
  signed_in: { label: "Signed in", tone: "normal" },
  sign_in_failed: { label: "Failed sign-in (wrong password)", tone: "warning" },
  account_locked: { label: "Account locked after failed sign-ins", tone: "danger" },
  signed_out: { label: "Signed out", tone: "normal" },
  signed_out_everywhere: { label: "Signed out everywhere", tone: "normal" },
  refresh_token_reuse_detected: {
    label: "Copied session token used: that session was ended",
    tone: "danger",
  },
  api_key_created: { label: "API key created", tone: "normal" },
  api_key_renamed: { label: "API key renamed", tone: "normal" },
  api_key_revoked: { label: "API key revoked", tone: "normal" },
};

export const eventLabel = (type: string): string => EVENT_LABELS[type]?.label ?? type.replace(/_/g, " ");

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** One line of specifics from the event's details (never a secret: the API stores none). */
export function eventDetail(event: AuditEvent): string | null {
  const d = event.details ?? {};
  switch (event.type) {
    case "api_key_created":
    case "api_key_revoked": {
      const name = str(d.name);
      const prefix = str(d.prefix);
      const scopes = Array.isArray(d.scopes) ? ` · scopes: ${d.scopes.join(", ")}` : "";
      return name
        ? `“${name}”${prefix ? ` (${prefix}…)` : ""}${event.type === "api_key_created" ? scopes : ""}`
        : null;
    }
    case "api_key_renamed": {
      const previous = str(d.previous_name);
      const name = str(d.name);
      return previous && name ? `“${previous}” → “${name}”` : name ? `now “${name}”` : null;
    }
    case "account_locked": {
      const seconds = typeof d.locked_seconds === "number" ? d.locked_seconds : null;
      return seconds === null ? null : `for ${Math.max(1, Math.round(seconds / 60))} min`;
    }
    case "signed_out_everywhere": {
      const ended = typeof d.sessions_ended === "number" ? d.sessions_ended : null;
      return ended === null ? null : `${ended} session${ended === 1 ? "" : "s"} ended`;
    }
    default:
      return null;
  }
}

/** A short client name from a User-Agent: "Firefox on Linux", "curl", or the raw text clipped. */
export function clientName(userAgent: string | null): string {
  if (!userAgent) return "Unknown client";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\/|Chromium\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Mac OS X|Macintosh/.test(userAgent)
      ? "macOS"
      : /Android/.test(userAgent)
        ? "Android"
        : /iPhone|iPad/.test(userAgent)
          ? "iOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser) return os ? `${browser} on ${os}` : browser;
  const tool = /^([A-Za-z][\w.-]*)\/[\d.]+/.exec(userAgent)?.[1];
  return tool ?? (userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent);
}
