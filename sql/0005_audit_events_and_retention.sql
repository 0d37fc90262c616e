-- Security audit trail: what happened to an account, when, and from where (issue 15). Rows are
-- written in the transaction of the event they record; they never hold a secret (no password,
-- token or key, only a key's id, name and public prefix). Users list their own events
-- (GET /v1/audit-events); AUDIT_EVENT_RETENTION_DAYS deletes old ones.

create table audit_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  type text not null check (type in (
    'signed_in', 'sign_in_failed', 'account_locked', 'signed_out', 'signed_out_everywhere',
    'refresh_token_reuse_detected', 'api_key_created', 'api_key_renamed', 'api_key_revoked')),
  ip_address text,
  user_agent text check (length(user_agent) <= 300),
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now(),
  -- insertion order: events of one transaction share created_at (e.g. the failure that locks)
  seq bigint generated always as identity
);
-- a user's events newest first (the list), and the retention sweep by age
create index audit_events_user_id_created_at_idx on audit_events (user_id, created_at desc, seq desc);
create index audit_events_created_at_idx on audit_events (created_at);

-- OUTCOME_TRACE_RETENTION_DAYS clears traces, notes and reflections of old outcomes in batches;
-- this index finds the ones still holding any, oldest first, without scanning cleared rows.
create index outcomes_retained_text_created_at_idx on outcomes (created_at)
  where reasoning_trace is not null or notes is not null or reflection_data is not null;
