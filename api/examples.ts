/**
 * Examples shown in the OpenAPI document (and Swagger UI's "Try it out"). A test checks each one
 * against its schema, so the documentation cannot drift from what the server accepts and returns.
 */

const PLAYBOOK_ID = "0b8f6c2e-5d7a-4c1b-9e3f-2a6d8c4b1f07";
const JOB_ID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09";
const CONTENT = `## STRATEGIES & INSIGHTS
[str-00001] helpful=4 harmful=0 :: Read the failing test before editing code.
[str-00002] helpful=2 harmful=0 :: Run the narrowest test first, then the suite.

## COMMON MISTAKES TO AVOID
[err-00003] helpful=1 harmful=0 :: Do not edit generated files; change their source.
`;

export const examples = {
  createPlaybook: { name: "My coding playbook", description: "Lessons for our monorepo", content: CONTENT },
  createFromStarter: { name: "My coding playbook", starter_id: "9a7b5c3d-1e2f-4a6b-8c9d-0e1f2a3b4c5d" },
  updatePlaybook: { name: "Coding playbook (backend)", description: "Lessons for the API services" },
  createVersion: {
    content: `${CONTENT}[err-00004] helpful=0 harmful=0 :: Never commit .env files.\n`,
    summary: "Added a rule about secrets",
  },
  reportOutcome: {
    task_description: "Fix the flaky checkout test",
    outcome: "success",
    reasoning_trace: "Read the test, found a missing await on the payment mock, ran it 20 times.",
    notes: "The flake was timing-related, not data-related.",
    bullets_used: ["str-00001", "str-00002"],
  },
  playbookDetail: {
    id: PLAYBOOK_ID,
    name: "My coding playbook",
    description: "Lessons for our monorepo",
    status: "active",
    source: "user_created",
    is_starter: false,
    version_number: 3,
    bullet_count: 3,
    outcome_count: 12,
    pending_outcomes: 2,
    created_at: "2026-11-20T09:12:44.000Z",
    updated_at: "2026-11-24T16:03:10.000Z",
    last_evolved_at: "2026-11-24T16:03:10.000Z",
    content: CONTENT,
    cloned_from_id: "9a7b5c3d-1e2f-4a6b-8c9d-0e1f2a3b4c5d",
    active_evolution: null,
    last_evolution: {
      job_id: JOB_ID,
      status: "completed",
      created_at: "2026-11-24T16:02:51.000Z",
      completed_at: "2026-11-24T16:03:10.000Z",
    },
  },
  outcomeRecorded: {
    outcome_id: "3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98",
    status: "recorded",
    pending_outcomes: 3,
    queued_evolution_id: null,
  },
  versionDiff: {
    from_version: 2,
    to_version: 3,
    unified_diff:
      "--- v2\n+++ v3\n@@ -5,1 +5,2 @@\n [err-00003] helpful=1 harmful=0 :: Do not edit generated files; change their source.\n+[err-00004] helpful=0 harmful=0 :: Never commit .env files.\n",
    bullets: { added: ["err-00004"], changed: [], removed: [] },
  },
  triggerResult: { job_id: JOB_ID, status: "queued", is_new: true },
} as const;

/** One example error per status, in the envelope every error uses. */
export const errorExamples: Record<
  number,
  { code: string; message: string; details?: Record<string, unknown> }
> = {
  400: {
    code: "invalid_input",
    message: "The request body is not valid JSON (or not the declared content type)",
    details: { reason: "malformed_body" },
  },
  401: { code: "unauthenticated", message: "This API key is not valid, or it was revoked or has expired." },
  403: {
    code: "forbidden",
    message: 'This API key lacks the "write" scope. Create a key with "write" to do this.',
  },
  404: {
    code: "not_found",
    message: "Playbook not found. Check the id, or list your playbooks with GET /v1/playbooks.",
  },
  409: { code: "conflict", message: "An account with this email already exists. Sign in instead." },
  413: { code: "payload_too_large", message: "The request body is larger than the 524288-byte limit" },
  415: {
    code: "invalid_input",
    message: "Send the body as JSON (Content-Type: application/json), not text/plain.",
    details: { reason: "unsupported_media_type" },
  },
  422: {
    code: "invalid_input",
    message: 'Invalid request: outcome: Invalid option: expected one of "success"|"failure"|"partial"',
  },
  429: {
    code: "rate_limited",
    message: "Too many outcome reports: the limit is 100. Try again in 42 seconds.",
  },
};
