import { createPool, type DatabasePool, type Interceptor, SchemaValidationError } from "slonik";

/**
 * Slonik's defaults turn timestamps into epoch numbers, int8 into BigInt (which JSON.stringify
 * refuses) and numeric into lossy floats. Ours: Date objects, plain numbers for counts, and
 * strings for money so `cost_usd` keeps its six decimals.
 */
const typeParsers = [
  { name: "int8", parse: (value: string) => Number.parseInt(value, 10) },
  { name: "numeric", parse: (value: string) => value },
  { name: "timestamptz", parse: (value: string) => new Date(value) },
  { name: "timestamp", parse: (value: string) => new Date(`${value}Z`) },
  { name: "date", parse: (value: string) => value },
];

/**
 * `sql.type(schema)` only declares a row shape; this interceptor makes slonik enforce it, so a
 * query whose columns drift from its zod schema fails loudly instead of returning a wrong type.
 */
const validateRows: Interceptor = {
  name: "validate-rows",
  // Synchronous: slonik runs an async row transform through a promise queue per query, which
  // cost ~7% of a report's CPU (bench:rest profile, issue 13). Row schemas are plain zod objects.
  transformRow: (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const result = parser["~standard"].validate(row);
    if (result instanceof Promise)
      throw new Error("row schemas must validate synchronously (no async refinements)");
    if (result.issues) throw new SchemaValidationError(query, row, result.issues as never);
    return result.value as typeof row;
  },
};

/**
 * What a connection going back to the pool must not keep: a session advisory lock or a setting
 * (the evolution's lock and lock_timeout). Slonik's default, `DISCARD ALL`, also deallocates
 * prepared statements, which node-postgres still believes prepared (`sql.prepared` would then
 * fail with "prepared statement does not exist"), so this resets only the session state.
 */
const resetSession = async ({ query }: { query: (sql: string) => Promise<void> }) => {
  await query("select pg_advisory_unlock_all()");
  await query("reset all");
};

export interface DbPoolOptions {
  maxPoolSize?: number;
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity (`ace-api`, `ace-worker`), so an operator sees who holds which connection. */
  applicationName?: string;
  /**
   * Resets the session each time a connection goes back to the pool (resetSession: two more
   * round trips per query, which triple the database work of a short read). Only the worker
   * holds session state (the evolution's session advisory lock and lock_timeout), so the API
   * half turns it off; the default keeps it.
   */
  resetOnRelease?: boolean;
}

/** `url` with `application_name` set, unless the URL already names one. */
export function withApplicationName(url: string, name: string | undefined): string {
  if (!name) return url;
  const parsed = new URL(url);
  if (!parsed.searchParams.has("application_name")) parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

/** Opens a slonik pool on `url`. Connections are made lazily; call `pool.end()` to close. */
export function createDbPool(url: string, options: DbPoolOptions = {}): Promise<DatabasePool> {
  return createPool(withApplicationName(url, options.applicationName), {
    interceptors: [validateRows],
    typeParsers,
    maxPoolSize: options.maxPoolSize ?? 10,
    statementTimeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeout: 5_000,
    captureStackTrace: false,
    resetConnection: options.resetOnRelease === false ? async () => {} : resetSession,
  });
}
