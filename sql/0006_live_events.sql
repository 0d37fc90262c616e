-- Live events for dashboards (GET /v1/events, server-sent events). Triggers announce, inside the
-- transaction that writes the row (so on its commit, never on rollback), what a user's own
-- playbooks just did, on ONE channel: `ace_live_events`, payload = '<user id> <small JSON>'.
-- Never playbook content: ids, numbers and statuses only, far below NOTIFY's 8000-byte limit.
-- Each API process LISTENs once and hands every event to its streams of that user only.

create function ace_live_notify(p_user_id uuid, p_event jsonb) returns void
language sql as $$
  select pg_notify('ace_live_events', p_user_id::text || ' ' || p_event::text)
$$;

-- `evolution`: a job was queued or changed status (queued, running, completed, failed).
create function ace_live_evolution() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    perform ace_live_notify(new.user_id, jsonb_build_object(
      'type', 'evolution', 'job_id', new.id, 'playbook_id', new.playbook_id, 'status', new.status));
  end if;
  return null;
end
$$;
create trigger evolution_jobs_live after insert or update of status on evolution_jobs
  for each row execute function ace_live_evolution();

-- `version`: a new version of a user's playbook (starters have no user and are not announced).
create function ace_live_version() returns trigger
language plpgsql as $$
declare
  owner uuid;
begin
  select user_id into owner from playbooks where id = new.playbook_id;
  if owner is not null then
    perform ace_live_notify(owner, jsonb_build_object(
      'type', 'version', 'playbook_id', new.playbook_id, 'version', new.version_number, 'origin', new.origin));
  end if;
  return null;
end
$$;
create trigger playbook_versions_live after insert on playbook_versions
  for each row execute function ace_live_version();

-- `outcome`: the playbook's count of pending (unprocessed) outcomes changed, by a report or by an
-- evolution processing them. Statement-level, once per playbook touched: an evolution that
-- processes 100 outcomes sends one event, not 100.
create function ace_live_outcomes() returns trigger
language plpgsql as $$
declare
  touched record;
begin
  for touched in
    select p.id, p.user_id,
      (select count(*) from outcomes o where o.playbook_id = p.id and o.processed_at is null) as pending
    from playbooks p
    where p.id in (select distinct playbook_id from changed) and p.user_id is not null
  loop
    perform ace_live_notify(touched.user_id, jsonb_build_object(
      'type', 'outcome', 'playbook_id', touched.id, 'pending', touched.pending));
  end loop;
  return null;
end
$$;
create trigger outcomes_live_insert after insert on outcomes
  referencing new table as changed
  for each statement execute function ace_live_outcomes();
create trigger outcomes_live_update after update on outcomes
  referencing new table as changed
  for each statement execute function ace_live_outcomes();
