import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Deps } from "../../../core/create-core.ts";
import { Refusals, TriggerResult } from "../../../core/evolution/index.ts";
import { OutcomeRecorded, ReportOutcome } from "../../../core/outcomes/index.ts";
import { guarded, ok, READ_ONLY } from "../tool.ts";
import { PlaybookId } from "./playbook-schemas.ts";

const ReportOutcomeInput = ReportOutcome.extend({ playbook_id: PlaybookId });

const EvolutionStatus = z.object({
  job_id: z.string(),
  status: z.enum(["queued", "running", "completed", "failed"]),
  outcomes_processed: z.number().int(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  error_message: z.string().nullable(),
  result_summary: z.string().nullable().describe("What the evolution changed, e.g. `+3 added, 1 updated`"),
  refusals: Refusals.nullable().describe("What the guards refused and why (null until it completes)"),
});

/** Registers report_outcome (write), trigger_evolution (evolve) and get_evolution_status (read). */
export function registerLoopTools(server: McpServer, { core, logger }: Deps): void {
  const { limits, threshold } = core.settings;
  server.registerTool(
    "report_outcome",
    {
      title: "Report a task outcome",
      description: `Records how a task went after you used a playbook: outcome success, failure or partial (be honest: failures teach the playbook most), the bullet ids you applied, and optionally your reasoning (≤ ${limits.reasoningTraceBytes} bytes) and notes (≤ ${limits.notesBytes} bytes). Call it once after each task. Every ${threshold.threshold} reports the playbook evolves automatically. Pass client_outcome_id to make a retry count once.`,
      inputSchema: ReportOutcomeInput,
      outputSchema: OutcomeRecorded,
      annotations: {
        readOnlyHint: false,
        idempotentHint: false,
        destructiveHint: false,
        openWorldHint: false,
      },
    },
    guarded(logger, "report_outcome", "write", async (caller, { playbook_id, ...input }) => {
      const recorded = await core.outcomes.report(caller, playbook_id, input);
      const next = recorded.queued_evolution_id
        ? `They reached the threshold: evolution ${recorded.queued_evolution_id} is queued (get_evolution_status follows it).`
        : "";
      return ok(
        recorded,
        `Outcome recorded (id ${recorded.outcome_id}). ${recorded.pending_outcomes} outcome(s) of this playbook are waiting for the next evolution. ${next}`.trim(),
      );
    }),
  );
  server.registerTool(
    "trigger_evolution",
    {
      title: "Evolve a playbook now",
      description:
        "Starts an evolution of the playbook from its pending outcomes now, instead of waiting for the automatic threshold. Returns the job (or the one already queued or running: is_new=false). Poll it with get_evolution_status; when it completes, get_playbook returns the new version.",
      inputSchema: z.object({ playbook_id: PlaybookId }),
      outputSchema: TriggerResult,
      annotations: {
        readOnlyHint: false,
        idempotentHint: true,
        destructiveHint: false,
        openWorldHint: false,
      },
    },
    guarded(logger, "trigger_evolution", "evolve", async (caller, args) => {
      const job = await core.evolutions.trigger(caller, args.playbook_id);
      const what = job.is_new ? "Evolution queued" : "An evolution is already active";
      return ok(job, `${what}: job ${job.job_id}, status ${job.status}. Check it with get_evolution_status.`);
    }),
  );
  server.registerTool(
    "get_evolution_status",
    {
      title: "Evolution status",
      description:
        "Returns the status of an evolution job (queued, running, completed or failed), how many outcomes it processed, and the error if it failed.",
      inputSchema: z.object({ job_id: z.string().describe("The job id from trigger_evolution") }),
      outputSchema: EvolutionStatus,
      annotations: READ_ONLY,
    },
    guarded(logger, "get_evolution_status", "read", async (caller, args) => {
      const job = await core.evolutions.get(caller, args.job_id);
      const { job_id, status, outcomes_processed, started_at, completed_at, error_message } = job;
      const { result_summary, refusals } = job;
      const result = {
        ...{ job_id, status, outcomes_processed, started_at, completed_at, error_message },
        ...{ result_summary, refusals },
      };
      const changed = result_summary ? ` Changes: ${result_summary}.` : "";
      const refused = refusals?.total ? ` ${refusals.total} proposed change(s) refused by the guards.` : "";
      const failed = error_message ? ` Error: ${error_message}` : "";
      return ok(
        result,
        `Evolution ${job_id}: ${status}, ${outcomes_processed} outcome(s) processed.${changed}${refused}${failed}`,
      );
    }),
  );
}
