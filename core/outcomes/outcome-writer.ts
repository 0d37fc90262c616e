import {
  BackendTerminatedError,
  BackendTerminatedUnexpectedlyError,
  type CommonQueryMethods,
  InvalidInputError,
  SlonikError,
} from "slonik";
import { createGroupCommit } from "../db/group-commit.ts";
import { type Inserted, insertOutcome, insertOutcomes, type NewOutcome } from "./queries.ts";

export interface OutcomeWriter {
  /** Inserts one outcome (insertOutcomes); reports that arrive together share one statement. */
  insert(outcome: NewOutcome): Promise<Inserted | null>;
}

/**
 * Writes reported outcomes by group commit (core/db/group-commit.ts): one statement at a time per
 * user and process; the user's reports arriving meanwhile go together in the next
 * (insertOutcomes), so under load one round trip, one commit and one update per playbook row
 * serve many reports. A lone report is written alone, as before. Per user, so that a playbook row
 * locked elsewhere (a version being saved, an evolution completing) holds up only its owner's
 * reports. Should a batch fail (one bad row fails its statement, or a
 * deadlock with another process's batch), each of its reports is written on its own, so each
 * gets its own answer or error.
 */
export function createOutcomeWriter(db: CommonQueryMethods): OutcomeWriter {
  const write = createGroupCommit<NewOutcome, PromiseSettledResult<Inserted | null>>(
    async (_, items) => {
      try {
        const results = await insertOutcomes(db, items);
        return results.map((value) => ({ status: "fulfilled", value }));
      } catch (error) {
        // A lone report gets its error. A batch whose outcome is unknown (the connection lost, or
        // a failure after the answer) may have committed, so writing each again could store it
        // twice: each report gets the error. A batch Postgres refused was rolled back as a whole:
        // each report is written alone below, so only a bad one fails.
        if (items.length === 1 || !rolledBack(error)) throw error;
      }
      return Promise.allSettled(items.map((o) => insertOutcome(db, o)));
    },
    { maxBatch: 200 },
  );
  return {
    async insert(outcome) {
      const result = await write(outcome.userId, outcome);
      if (result.status === "rejected") throw result.reason;
      return result.value;
    },
  };
}

/**
 * Whether the failed statement certainly committed nothing: Postgres answered it with an error
 * (the implicit transaction of a lone statement then rolls back), and the session lives on.
 */
function rolledBack(error: unknown): boolean {
  if (error instanceof BackendTerminatedError || error instanceof BackendTerminatedUnexpectedlyError)
    return false;
  if (error instanceof InvalidInputError) return true; // 22P02, which slonik keeps without its cause
  const cause = error instanceof SlonikError ? error.cause : error;
  if (!(cause instanceof Error)) return false;
  const { code, severity } = cause as { code?: unknown; severity?: unknown };
  // node-postgres's DatabaseError: a server's error response (class 08: connection exceptions).
  return typeof code === "string" && !code.startsWith("08") && severity === "ERROR";
}
