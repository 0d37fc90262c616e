import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

/** The login-failure statements (the account lockout). Each takes the connection first. */

export interface LockoutPolicy {
  /** Failures allowed before the first lock. */
  freeFailures: number;
  baseSeconds: number;
  maxSeconds: number;
  /** A quiet period after which old failures are forgotten. */
  forgetAfterSeconds: number;
}

export const lockedUntil = (db: CommonQueryMethods, key: string) =>
  db.maybeOneFirst(sql.type(z.object({ locked_until: z.date().nullable() }))`
    select locked_until from login_failures where key = ${key}`);

/**
 * Counts one failure and, past the free ones, locks the account for base * 2^(extra failures)
 * seconds (capped), all in one statement so concurrent failures cannot lose a count.
 */
export const recordLoginFailure = (db: CommonQueryMethods, key: string, p: LockoutPolicy, now: Date) => {
  const at = sql.timestamp(now);
  const failures = sql.fragment`(case when f.last_failure_at < ${at} - make_interval(secs => ${p.forgetAfterSeconds}::float8)
    then 1 else f.failures + 1 end)`;
  const lockFor = (n: ReturnType<typeof sql.fragment> | number) => sql.fragment`
    case when ${n}::int > ${p.freeFailures}::int
      then ${at} + make_interval(secs => least(
        ${p.maxSeconds}::float8, ${p.baseSeconds}::float8 * power(2, ${n}::int - ${p.freeFailures}::int - 1)))
    end`;
  return db.one(sql.type(z.object({ failures: z.number(), locked_until: z.date().nullable() }))`
    insert into login_failures as f (key, failures, locked_until, last_failure_at)
    values (${key}, 1, ${lockFor(1)}, ${at})
    on conflict (key) do update set
      failures = ${failures},
      locked_until = ${lockFor(failures)},
      last_failure_at = ${at}
    returning failures, locked_until`);
};

export const clearLoginFailures = (db: CommonQueryMethods, key: string) =>
  db.query(sql.unsafe`delete from login_failures where key = ${key}`);

/** Deletes login-failure records neither recent (a day) nor locking; returns how many went. */
export const pruneLoginFailures = (db: CommonQueryMethods, now: Date, batch: number) => {
  const at = now.toISOString();
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    with gone as (
      delete from login_failures where key in (
        select key from login_failures
        where last_failure_at < ${at}::timestamptz - interval '1 day'
          and (locked_until is null or locked_until < ${at}::timestamptz)
        limit ${batch} for update skip locked)
      returning 1)
    select count(*) as n from gone`);
};
