import { type CommonQueryMethods, sql } from "slonik";
import { z } from "zod";

export const OutcomeRow = z.object({
  id: z.string(),
  playbook_id: z.string(),
  task_description: z.string(),
  status: z.enum(["success", "failure", "partial"]),
  reasoning_trace: z.string().nullable(),
  notes: z.string().nullable(),
  bullets_used: z.array(z.string()),
  processed_at: z.date().nullable(),
  evolution_job_id: z.string().nullable(),
  reflection_data: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.date(),
});
export type OutcomeRow = z.infer<typeof OutcomeRow>;

const outcomeColumns = sql.fragment`
  id, playbook_id, task_description, status, reasoning_trace, notes, bullets_used, processed_at,
  evolution_job_id, reflection_data, created_at`;

const Inserted = z.object({ id: z.string(), pending_outcomes: z.number() });
export type Inserted = z.infer<typeof Inserted>;

/** One outcome to insert (insertOutcomes). */
export interface NewOutcome {
  playbookId: string;
  userId: string;
  apiKeyId: string | null;
  taskDescription: string;
  status: string;
  reasoningTrace: string | null;
  notes: string | null;
  bulletsUsed: string[];
  idempotencyKey: string | null;
}

const InsertedRow = z.object({
  id: z.string(),
  playbook_id: z.string(),
  pending_outcomes: z.number(),
});

/**
 * Inserts outcomes into their users' own active playbooks and counts them on the playbook rows
 * (outcome_count, pending_outcomes: sql/0007_hot_paths.sql), in one prepared statement: one
 * report, or many arriving together (outcome-writer.ts). Answers each in order: its id and the
 * pending count its own insert made, or null when it inserted nothing (not the user's own active
 * playbook, or its idempotency key exists, also within the batch; a concurrent retry waits for
 * the first to commit). Each playbook row is updated once, by the number inserted into it, and
 * its lock lasts only this statement.
 */
export async function insertOutcomes(
  db: CommonQueryMethods,
  items: NewOutcome[],
): Promise<(Inserted | null)[]> {
  const ids = items.map(() => crypto.randomUUID());
  const column = <T>(pick: (o: NewOutcome) => T) => items.map(pick);
  const rows = await db.any(sql.prepared("insert_outcomes", InsertedRow)`
    with input as (
      select * from unnest(
        ${sql.array(ids, "uuid")}, ${sql.array(
          column((o) => o.playbookId),
          "uuid",
        )},
        ${sql.array(
          column((o) => o.userId),
          "uuid",
        )}, ${sql.array(
          column((o) => o.apiKeyId),
          "uuid",
        )},
        ${sql.array(
          column((o) => o.taskDescription),
          "text",
        )}, ${sql.array(
          column((o) => o.status),
          "text",
        )},
        ${sql.array(
          column((o) => o.reasoningTrace),
          "text",
        )}, ${sql.array(
          column((o) => o.notes),
          "text",
        )},
        ${sql.array(
          column((o) => JSON.stringify(o.bulletsUsed)),
          "text",
        )},
        ${sql.array(
          column((o) => o.idempotencyKey),
          "text",
        )})
      with ordinality
      as t(id, playbook_id, user_id, api_key_id, task_description, status, reasoning_trace, notes, bullets_used,
        idempotency_key, arrival)),
    added as (
      insert into outcomes
        (id, playbook_id, user_id, api_key_id, task_description, status, reasoning_trace, notes, bullets_used,
         idempotency_key)
      select i.id, i.playbook_id, i.user_id, i.api_key_id, i.task_description, i.status::outcome_status,
        i.reasoning_trace, i.notes, i.bullets_used::jsonb, i.idempotency_key
      from input i join playbooks p on p.id = i.playbook_id and p.user_id = i.user_id and p.status = 'active'
      -- One order for every batch, so that two batches (two processes) with the same keys never
      -- wait for each other's keys crosswise; of two with one key, the first to arrive is stored.
      order by i.playbook_id, i.idempotency_key, i.arrival
      on conflict (playbook_id, idempotency_key) where idempotency_key is not null do nothing
      returning id, playbook_id),
    counted as (
      -- In id order, so that two batches locking the same playbooks take them in the same order.
      update playbooks p set outcome_count = p.outcome_count + c.n, pending_outcomes = p.pending_outcomes + c.n
      from (select playbook_id, count(*)::int as n from added group by playbook_id order by playbook_id) c
      where p.id = c.playbook_id
      returning p.id, p.pending_outcomes)
    select a.id, a.playbook_id, c.pending_outcomes from added a join counted c on c.id = a.playbook_id`);
  // Keyed by the playbook id as the database spells it: the client's may differ (capitals).
  const inserted = new Map(rows.map((r) => [r.id, r]));
  // Pending after all of a playbook's inserts, less the ones inserted after each (in input order).
  const left = new Map<string, number>();
  for (const r of rows) left.set(r.playbook_id, (left.get(r.playbook_id) ?? 0) + 1);
  return ids.map((id) => {
    const row = inserted.get(id);
    if (!row) return null;
    const remaining = left.get(row.playbook_id)! - 1;
    left.set(row.playbook_id, remaining);
    return { id, pending_outcomes: row.pending_outcomes - remaining };
  });
}

/** insertOutcomes for one outcome. */
export const insertOutcome = async (db: CommonQueryMethods, o: NewOutcome) =>
  (await insertOutcomes(db, [o]))[0] ?? null;

export const findByIdempotencyKey = (db: CommonQueryMethods, playbookId: string, key: string) =>
  db.maybeOneFirst(sql.type(z.object({ id: z.string() }))`
    select id from outcomes where playbook_id = ${playbookId} and idempotency_key = ${key}`);

const filters = (playbookId: string, status?: string, processed?: boolean) => sql.fragment`
  playbook_id = ${playbookId}
  and (${status ?? null}::outcome_status is null or status = ${status ?? null}::outcome_status)
  and (${processed ?? null}::boolean is null or (processed_at is not null) = ${processed ?? null}::boolean)`;

export const listOutcomes = (
  db: CommonQueryMethods,
  playbookId: string,
  q: { status?: string; processed?: boolean; limit: number; offset: number },
) =>
  db.any(sql.type(OutcomeRow)`
    select ${outcomeColumns} from outcomes where ${filters(playbookId, q.status, q.processed)}
    order by created_at desc, id desc limit ${q.limit} offset ${q.offset}`);

export const countOutcomes = (
  db: CommonQueryMethods,
  playbookId: string,
  q: { status?: string; processed?: boolean },
) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*) as n from outcomes where ${filters(playbookId, q.status, q.processed)}`);

/**
 * Retention: clears the reasoning trace, notes and the reflection derived from them of up to
 * `batch` outcomes reported before `before`, oldest first. The row, its status, bullets used and
 * link to the evolution that processed it stay, so counts and history stay true. Returns how
 * many were cleared.
 */
export const clearOutcomeTexts = (db: CommonQueryMethods, before: Date, batch: number) =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    with cleared as (
      update outcomes set reasoning_trace = null, notes = null, reflection_data = null
      where id in (
        select id from outcomes
        where created_at < ${sql.timestamp(before)}
          and (reasoning_trace is not null or notes is not null or reflection_data is not null)
        order by created_at limit ${batch} for update skip locked)
      returning 1)
    select count(*)::int as n from cleared`);
