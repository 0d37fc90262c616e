-- What an evolution's guards refused and why (issue 16), bounded by the engine to the first 50
-- refusals plus counts: { "total": n, "listed": [{ op, source, bullet_ids, outcome_id, reason }], "omitted": n }.
-- Null for jobs that have not completed (and for jobs completed before this column existed).
alter table evolution_jobs add column refusals jsonb;
