import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** Statements about the database itself (the migration ledger), for readiness checks. */

export const appliedMigrationNames = (db: CommonQueryMethods) =>
  db.anyFirst(sql.type(z.object({ name: z.string() }))`select name from schema_migrations`);
