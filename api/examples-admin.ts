/**
 * OpenAPI examples of the routes the dashboard needs (usage, availability, live events). Each is
 * parsed against its schema in tests/api/openapi.test.ts.
 */

const PLAYBOOK_ID = "0b8f6c2e-5d7a-4c1b-9e3f-2a6d8c4b1f07";

const day = (period_start: string, tokens: number, cost: string, calls: number, evolutions: number) => ({
  period_start,
  prompt_tokens: Math.round(tokens * 0.8),
  completion_tokens: tokens - Math.round(tokens * 0.8),
  total_tokens: tokens,
  cost_usd: cost,
  llm_calls: calls,
  evolutions,
});

export const adminExamples = {
  streamToken: {
    token: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJzdHJlYW0ifQ.c2lnbmF0dXJl",
    expires_at: "2026-12-02T14:01:00.000Z",
    url: "/v1/events?token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0eXAiOiJzdHJlYW0ifQ.c2lnbmF0dXJl",
  },
  availability: [
    { available: true, reason: null, message: null, available_at: null },
    {
      available: false,
      reason: "rate_limited",
      message: "Too many evolution triggers: the limit is 10. Try again in 1260 seconds.",
      available_at: "2026-12-02T14:21:00.000Z",
    },
    {
      available: false,
      reason: "nothing_pending",
      message: "Nothing to evolve from: this playbook has no unprocessed outcomes. Report outcomes first.",
      available_at: null,
    },
  ],
  usageSummary: {
    from: "2026-11-30",
    to: "2026-12-02",
    granularity: "day",
    totals: {
      prompt_tokens: 9600,
      completion_tokens: 2400,
      total_tokens: 12000,
      cost_usd: "0.036000",
      llm_calls: 6,
      evolutions: 2,
    },
    series: [
      day("2026-11-30", 6000, "0.018000", 3, 1),
      day("2026-12-01", 0, "0.000000", 0, 0),
      day("2026-12-02", 6000, "0.018000", 3, 1),
    ],
    by_playbook: [
      {
        playbook_id: PLAYBOOK_ID,
        name: "My coding playbook",
        total_tokens: 12000,
        cost_usd: "0.036000",
        evolutions: 2,
      },
    ],
    by_model: [{ model: "gpt-4o-mini", total_tokens: 12000, cost_usd: "0.036000", llm_calls: 6 }],
  },
};
