-- The product's tables. Forward-only: change the schema with a new numbered file, never by editing this one.

create extension if not exists pgcrypto;

create type playbook_status as enum ('active', 'archived');
create type playbook_source as enum ('starter', 'user_created', 'imported');
create type outcome_status as enum ('success', 'failure', 'partial');
create type evolution_status as enum ('queued', 'running', 'completed', 'failed');

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and length(email) between 3 and 320),
  password_hash text not null,
  display_name text,
  is_admin boolean not null default false,
  -- billing (only used when BILLING_ENABLED=true)
  plan text not null default 'free',
  stripe_customer_id text unique,
  stripe_subscription_id text unique,
  subscription_status text,
  current_period_end timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on users (email);

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- every token issued by one login shares a family; reuse of a rotated token revokes the family
  family_id uuid not null,
  token_hash text not null unique,
  replaced_by_id uuid references refresh_tokens (id) on delete set null,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  user_agent text,
  ip_address text,
  created_at timestamptz not null default now()
);
create index refresh_tokens_user_id_idx on refresh_tokens (user_id);
create index refresh_tokens_family_id_idx on refresh_tokens (family_id);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  key_hash text not null unique,
  key_prefix text not null,
  scopes jsonb not null default '["read", "write"]'::jsonb check (jsonb_typeof(scopes) = 'array'),
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index api_keys_user_id_idx on api_keys (user_id, created_at desc);

create table playbooks (
  id uuid primary key default gen_random_uuid(),
  -- null for system-owned starter playbooks
  user_id uuid references users (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  status playbook_status not null default 'active',
  source playbook_source not null default 'user_created',
  -- stable key of a starter (its file name), so seeding is idempotent
  starter_slug text unique,
  cloned_from_id uuid references playbooks (id) on delete set null,
  current_version_id uuid,
  token_budget integer check (token_budget is null or token_budget > 0),
  metadata jsonb not null default '{}'::jsonb,
  last_evolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((source = 'starter') = (user_id is null))
);
create index playbooks_user_id_idx on playbooks (user_id, status, updated_at desc);

create table evolution_jobs (
  id uuid primary key default gen_random_uuid(),
  playbook_id uuid not null references playbooks (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  status evolution_status not null default 'queued',
  trigger text not null check (trigger in ('manual', 'threshold', 'schedule')),
  attempts integer not null default 0,
  max_attempts integer not null default 5,
  outcomes_processed integer not null default 0,
  from_version_id uuid,
  to_version_id uuid,
  token_totals jsonb not null default '{}'::jsonb,
  ace_core_version text,
  result_summary text,
  error_message text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now()
);
-- the database's own guarantee of at most one active evolution per playbook
create unique index evolution_jobs_one_active_per_playbook on evolution_jobs (playbook_id)
  where status in ('queued', 'running');
create index evolution_jobs_playbook_id_idx on evolution_jobs (playbook_id, created_at desc);

create table playbook_versions (
  id uuid primary key default gen_random_uuid(),
  playbook_id uuid not null references playbooks (id) on delete cascade,
  version_number integer not null check (version_number > 0),
  content text not null,
  bullet_count integer not null check (bullet_count >= 0),
  token_count integer,
  -- highest bullet number in this version: new ids are allocated above the max over all versions,
  -- so an id removed in one evolution is never reused by a later one
  max_bullet_number integer not null default 0,
  diff_summary text,
  -- the structured change log of an evolution or edit: per bullet before/after, op and reason
  change_log jsonb not null default '[]'::jsonb,
  origin text not null default 'manual' check (origin in ('initial', 'evolution', 'manual', 'restore', 'starter_sync')),
  created_by_job_id uuid references evolution_jobs (id) on delete set null,
  created_by_user_id uuid references users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (playbook_id, version_number)
);

alter table playbooks
  add constraint playbooks_current_version_id_fkey
  foreign key (current_version_id) references playbook_versions (id) deferrable initially deferred;
alter table evolution_jobs
  add constraint evolution_jobs_from_version_id_fkey foreign key (from_version_id) references playbook_versions (id) on delete set null,
  add constraint evolution_jobs_to_version_id_fkey foreign key (to_version_id) references playbook_versions (id) on delete set null;

create table outcomes (
  id uuid primary key default gen_random_uuid(),
  playbook_id uuid not null references playbooks (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  api_key_id uuid references api_keys (id) on delete set null,
  task_description text not null check (length(task_description) > 0),
  status outcome_status not null,
  reasoning_trace text,
  notes text,
  bullets_used jsonb not null default '[]'::jsonb check (jsonb_typeof(bullets_used) = 'array'),
  -- Idempotency-Key header or client_outcome_id: a retried report counts once
  idempotency_key text,
  metadata jsonb not null default '{}'::jsonb,
  reflection_data jsonb,
  evolution_job_id uuid references evolution_jobs (id) on delete set null,
  processed_at timestamptz,
  created_at timestamptz not null default now()
);
create index outcomes_playbook_id_processed_at_idx on outcomes (playbook_id, processed_at);
create index outcomes_playbook_id_created_at_idx on outcomes (playbook_id, created_at desc);
create unique index outcomes_idempotency_key on outcomes (playbook_id, idempotency_key)
  where idempotency_key is not null;

create table usage_records (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  playbook_id uuid references playbooks (id) on delete set null,
  evolution_job_id uuid references evolution_jobs (id) on delete set null,
  operation text not null,
  model text not null,
  prompt_tokens integer not null default 0 check (prompt_tokens >= 0),
  completion_tokens integer not null default 0 check (completion_tokens >= 0),
  total_tokens integer not null default 0 check (total_tokens >= 0),
  cost_usd numeric(10, 6) not null default 0,
  estimated boolean not null default false,
  provider_request_id text,
  correlation_id text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index usage_records_user_id_created_at_idx on usage_records (user_id, created_at);
create index usage_records_evolution_job_id_idx on usage_records (evolution_job_id);

-- Rate-limit buckets (see rate_limit_hit below). Unlogged: losing them in a crash only resets the limits, and writes skip the WAL.
create unlogged table rate_limit_buckets (
  key text primary key,
  -- A sliding window kept as 60 sub-windows ("slots"): slots[i] holds counts[i] allowed requests.
  -- Bounded state whatever the limit, and "N per window" holds over every rolling window.
  slots bigint[] not null default '{}',
  counts integer[] not null default '{}',
  updated_at timestamptz not null default now()
);

-- Counts one request against a bucket, in one call (one round trip, the row locked while it
-- decides). A request counts while its slot overlaps the window, so the count never falls short
-- of the true rolling count: no window ever holds more than p_limit allowed requests, and a slot
-- frees at most one slot width (window / 60) late. Refused requests are not counted.
-- Returns the decision, the requests counted, and the seconds until one more request fits
-- (retry_after, 0 when allowed) and until the whole limit is free again (reset_after).
create function rate_limit_hit(p_key text, p_limit integer, p_window double precision, p_now timestamptz)
returns table (allowed boolean, used integer, retry_after double precision, reset_after double precision)
language plpgsql as $$
declare
  width double precision := p_window / 60;
  now_s double precision := extract(epoch from p_now);
  current_slot bigint := floor(now_s / width);
  -- The slot holding the instant one window ago: the oldest that may still hold a counted request.
  oldest_live bigint := floor((now_s - p_window) / width);
  bucket rate_limit_buckets;
  live_slots bigint[];
  live_counts integer[];
  n integer;
  to_free integer;
  freed integer := 0;
  i integer;
begin
  insert into rate_limit_buckets (key) values (p_key) on conflict (key) do nothing;
  select * into bucket from rate_limit_buckets where key = p_key for update;
  select coalesce(array_agg(u.s order by u.s), '{}'), coalesce(array_agg(u.c order by u.s), '{}'),
         coalesce(sum(u.c), 0)
    into live_slots, live_counts, used
    from unnest(bucket.slots, bucket.counts) as u(s, c)
    where u.s >= oldest_live;
  allowed := used < p_limit;
  if allowed then
    n := cardinality(live_slots);
    if n > 0 and live_slots[n] = current_slot then
      live_counts[n] := live_counts[n] + 1;
    else
      live_slots := live_slots || current_slot;
      live_counts := live_counts || 1;
    end if;
    used := used + 1;
  end if;
  update rate_limit_buckets
    set slots = live_slots, counts = live_counts, updated_at = greatest(updated_at, p_now)
    where key = p_key;
  -- A request in slot s stops counting at (s + 1) * width + p_window.
  n := cardinality(live_slots);
  reset_after := case when n = 0 then 0 else (live_slots[n] + 1) * width + p_window - now_s end;
  retry_after := 0;
  if not allowed then
    to_free := used - p_limit + 1;
    for i in 1..n loop
      freed := freed + live_counts[i];
      if freed >= to_free then
        retry_after := (live_slots[i] + 1) * width + p_window - now_s;
        exit;
      end if;
    end loop;
  end if;
  return next;
end
$$;

-- Failed logins per account key (a hash of the email, so unknown emails are tracked the same way).
create unlogged table login_failures (
  key text primary key,
  failures integer not null default 0,
  locked_until timestamptz,
  last_failure_at timestamptz not null default now()
);

-- Liveness of worker processes. A job locked by a worker that stopped heartbeating (killed,
-- crashed) is unlocked by the surviving workers within a minute instead of graphile-worker's 4 hours.
create table worker_heartbeats (
  worker_id text primary key,
  last_seen_at timestamptz not null default now()
);
