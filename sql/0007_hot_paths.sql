-- Hot paths at the speed of the database (issue 13).

-- A playbook's outcome counts, kept on its row so neither a read nor a report counts outcomes.
-- Exact because the only two statements that add or consume outcomes keep them in the same
-- statement: the report's insert (core/outcomes/queries.ts, insertOutcome) adds 1 to both, the
-- evolution's markProcessed (core/evolution/queries-run.ts) takes what it processed off
-- pending_outcomes. Outcomes are otherwise deleted only with their playbook.
alter table playbooks
  add column outcome_count integer not null default 0 check (outcome_count >= 0),
  add column pending_outcomes integer not null default 0 check (pending_outcomes >= 0);

update playbooks p set outcome_count = c.total, pending_outcomes = c.pending
from (
  select playbook_id, count(*) as total, count(*) filter (where processed_at is null) as pending
  from outcomes group by playbook_id
) c
where c.playbook_id = p.id;

-- Every process caches verified API keys by hash (core/auth/api-key-cache.ts). Whatever changes
-- what a key may do (revocation, expiry, scopes, its user's deletion by cascade, an operator's
-- SQL) announces the key's hash on this channel, delivered when that transaction commits, so
-- each process forgets the key before its next request. Touching last_used_at or renaming a key
-- announces nothing.
create function announce_api_key_change() returns trigger
language plpgsql as $$
begin
  perform pg_notify('ace_api_key_changed', old.key_hash);
  return null;
end
$$;

create trigger api_keys_announce_change
  after update of revoked_at, expires_at, scopes, key_hash, user_id or delete on api_keys
  for each row execute function announce_api_key_change();

-- Gives back one request counted by rate_limit_hit at p_now (same key, window and clock): a
-- report counts against the limit in its own short statement, before its insert, so that the
-- per-user bucket row is locked only for that statement; when the insert then adds nothing (a
-- retry, a refusal, a failure) the report gives its token back. Never below zero.
create function rate_limit_refund(p_key text, p_window double precision, p_now timestamptz)
returns void
language sql as $$
  update rate_limit_buckets b
  set counts[i] = b.counts[i] - 1
  from (
    select array_position(slots, floor(extract(epoch from p_now) / (p_window / 60))::bigint) as i
    from rate_limit_buckets where key = p_key
  ) s
  where b.key = p_key and s.i is not null and b.counts[s.i] > 0;
$$;

-- The live `outcome` event (0006) reads the pending counter kept above instead of counting the
-- playbook's pending outcomes after every report.
create or replace function ace_live_outcomes() returns trigger
language plpgsql as $$
declare
  touched record;
begin
  for touched in
    select p.id, p.user_id, p.pending_outcomes as pending
    from playbooks p
    where p.id in (select distinct playbook_id from changed) and p.user_id is not null
  loop
    perform ace_live_notify(touched.user_id, jsonb_build_object(
      'type', 'outcome', 'playbook_id', touched.id, 'pending', touched.pending));
  end loop;
  return null;
end
$$;
