import type { ErrorEvent } from "@sentry/bun";

/**
 * Unexpected errors (500s, crashed jobs) to Sentry, when SENTRY_DSN is set. Without it nothing
 * is loaded, initialised or sent: `reportError` is a no-op. The SDK runs with no default
 * integrations (no request, console or HTTP instrumentation, no breadcrumbs, no tracing) and
 * data collection off (no user, headers, bodies, queries, queue payloads or variables), so an event carries only what is reported here: the error and its stack, its
 * causes, the request id and a few tags. `scrubEvent` removes anything secret-looking on top.
 */

type Sentry = typeof import("@sentry/bun");
let sentry: Sentry | null = null;
const reported = new WeakSet<object>();

export interface ErrorTrackingOptions {
  dsn: string;
  environment: string;
  /** Process role (all, api, worker): a tag on every event. */
  role?: string;
}

/** Loads and starts the SDK. Call once per process, at start-up, and only with a DSN. */
export async function initErrorTracking(options: ErrorTrackingOptions): Promise<void> {
  const sdk = await import("@sentry/bun");
  sdk.init({
    dsn: options.dsn,
    environment: options.environment,
    // Nothing about users, requests, queries, queue payloads or local variables is collected.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      genAI: { inputs: false, outputs: false },
    },
    defaultIntegrations: false,
    integrations: [sdk.linkedErrorsIntegration()],
    maxBreadcrumbs: 0,
    initialScope: options.role ? { tags: { role: options.role } } : undefined,
    beforeSend: scrubEvent,
  });
  sentry = sdk;
}

/** Whether errors are being sent (SENTRY_DSN set and the SDK started). */
export const errorTrackingOn = () => sentry !== null;

/**
 * Sends one unexpected error, tagged with the request id (REST, MCP) or the job (worker). An
 * error already sent (rethrown through several layers) is sent once. Never throws.
 */
export function reportError(
  error: unknown,
  context: { requestId?: string; tags?: Record<string, string | number> } = {},
): void {
  if (!sentry) return;
  if (typeof error === "object" && error !== null) {
    if (reported.has(error)) return;
    reported.add(error);
  }
  const sdk = sentry;
  sdk.withScope((scope) => {
    if (context.requestId) scope.setTag("request_id", context.requestId);
    for (const [key, value] of Object.entries(context.tags ?? {})) scope.setTag(key, String(value));
    sdk.captureException(error);
  });
}

/** Sends what is queued (up to `timeoutMs`) and stops the SDK; reporting is off afterwards. */
export async function closeErrorTracking(timeoutMs = 2_000): Promise<void> {
  const sdk = sentry;
  sentry = null;
  await sdk?.close(timeoutMs);
}

const SECRETS: Array<[RegExp, string]> = [
  [/\bace_[A-Za-z0-9_-]{8,}/g, "ace_[redacted]"], // our API keys
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[jwt redacted]"], // access tokens
  [/\bBearer\s+\S+/gi, "Bearer [redacted]"],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-[redacted]"], // provider keys
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, "$1[redacted]@"], // passwords in URLs
];

/** Removes secret-looking strings and caps the length (a message never carries content). */
export function scrubText(text: string, max = 1_000): string {
  const clean = SECRETS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
  return clean.length > max ? `${clean.slice(0, max)}… [truncated]` : clean;
}

/** Sentry's `beforeSend`: no user, no request data, no extras; secret-looking text scrubbed. */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  delete event.user;
  delete event.extra;
  delete event.breadcrumbs;
  if (event.request) event.request = { method: event.request.method };
  if (event.message) event.message = scrubText(event.message);
  for (const value of event.exception?.values ?? []) {
    if (value.value) value.value = scrubText(value.value);
  }
  return event;
}
