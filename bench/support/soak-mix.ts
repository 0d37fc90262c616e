/**
 * The soak's workload: who calls what, how often. Shared by the orchestrator (bench/soak.ts) and
 * the load generator (bench/support/soak-client.ts).
 *
 * Agents hold API keys: they fetch playbooks and report outcomes over REST and MCP (most traffic).
 * People hold session tokens from signing in and click through the dashboard's API. The weights
 * are relative frequencies; a person signs in rarely compared with their page views (one sign-in
 * per ~100 dashboard calls), because each sign-in is a deliberately slow password hash.
 */

export interface SoakTenant {
  email: string;
  password: string;
  apiKey: string;
  /** The person's session from setup; the mix's sign-ins replace it. */
  sessionToken: string;
  playbookIds: string[];
}

export interface SoakSpec {
  base: string;
  tenants: SoakTenant[];
  /** "closed": `concurrency` loops back to back (calibration); "open": `rate` ops/s on a schedule. */
  mode: "closed" | "open";
  concurrency: number;
  rate: number;
  seconds: number;
  /** Include GET /v1/usage (only when the server has it). */
  usage: boolean;
  /** Where the client writes its result (SoakResult) as JSON. */
  resultFile: string;
  /** Prefix of idempotency keys, unique per run so phases never collide. */
  keyPrefix: string;
}

export interface OpStats {
  count: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** An outcome report the server acknowledged with a 201 (and the id it gave). */
export interface AckedOutcome {
  playbookId: string;
  key: string;
  outcomeId: string;
  via: "rest" | "mcp";
}

export interface SoakResult {
  seconds: number;
  ops: Record<string, OpStats>;
  errorSamples: string[];
  acked: AckedOutcome[];
  /** Retries of an acknowledged report (same key) that returned a different id: double counting. */
  retryMismatches: number;
  retries: number;
  /** Open mode: scheduled ops not sent because too many were already in flight. */
  shed: number;
  evolutionsQueued: number;
  /** Requests whose connection closed without an answer, each retried once (what and why). */
  resets: string[];
}

export const OP_WEIGHTS = {
  "agent REST get_playbook": 22,
  "agent MCP  get_playbook": 14,
  "agent MCP  list_playbooks": 3,
  "agent REST report_outcome": 12,
  "agent MCP  report_outcome": 8,
  "person sign_in": 0.4,
  "person list_playbooks": 8,
  "person list_versions": 6,
  "person read_version": 4,
  "person version_diff": 4,
  "person list_outcomes": 6,
  "person list_api_keys": 3,
  "person usage": 3,
} as const;

export type OpName = keyof typeof OP_WEIGHTS;

export const SAMPLE_CONTENT = `## STRATEGIES & INSIGHTS
[str-00001] helpful=0 harmful=0 :: Read the failing test before editing code.
[str-00002] helpful=0 harmful=0 :: Run the narrowest test first.
[str-00003] helpful=0 harmful=0 :: Check the API's pagination before assuming a list is complete.

## COMMON MISTAKES TO AVOID
[err-00004] helpful=0 harmful=0 :: Do not edit generated files.
[err-00005] helpful=0 harmful=0 :: Do not retry a write without an idempotency key.
`;
