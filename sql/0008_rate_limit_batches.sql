-- Rate limits counted in batches (issue 13). All of a user's outcome reports count against one
-- bucket row; at thousands of reports a second, updating that row once per report made it the
-- service's bottleneck. Each process now sends the reports that arrive while its previous count
-- is on the way as ONE count (core/rate-limit/batched.ts), which this function grants in part:
-- as many as still fit, the rest refused and not counted. Nothing else changes: the same
-- sliding window of 60 slots, so no rolling window ever holds more than p_limit.

-- Counts up to p_count requests against a bucket at p_now. Returns how many were granted (the
-- first `granted` of them, in the caller's order), the requests counted afterwards, the seconds
-- until one more request fits (retry_after, 0 when all were granted) and until the whole limit
-- is free again (reset_after).
create function rate_limit_take(
  p_key text, p_limit integer, p_window double precision, p_now timestamptz, p_count integer)
returns table (granted integer, used integer, retry_after double precision, reset_after double precision)
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
  -- The row usually exists: lock it first, and insert only when missing (an insert with
  -- ON CONFLICT also waits for a concurrent holder of the row, a second wait per call).
  select * into bucket from rate_limit_buckets where key = p_key for update;
  if not found then
    insert into rate_limit_buckets (key) values (p_key) on conflict (key) do nothing;
    select * into bucket from rate_limit_buckets where key = p_key for update;
  end if;
  select coalesce(array_agg(u.s order by u.s), '{}'), coalesce(array_agg(u.c order by u.s), '{}'),
         coalesce(sum(u.c), 0)
    into live_slots, live_counts, used
    from unnest(bucket.slots, bucket.counts) as u(s, c)
    where u.s >= oldest_live;
  granted := greatest(0, least(p_count, p_limit - used));
  if granted > 0 then
    n := cardinality(live_slots);
    if n > 0 and live_slots[n] = current_slot then
      live_counts[n] := live_counts[n] + granted;
    else
      live_slots := live_slots || current_slot;
      live_counts := live_counts || granted;
    end if;
    used := used + granted;
  end if;
  update rate_limit_buckets
    set slots = live_slots, counts = live_counts, updated_at = greatest(updated_at, p_now)
    where key = p_key;
  -- A request in slot s stops counting at (s + 1) * width + p_window.
  n := cardinality(live_slots);
  reset_after := case when n = 0 then 0 else (live_slots[n] + 1) * width + p_window - now_s end;
  retry_after := 0;
  if granted < p_count then
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

-- One request: the same rule, one implementation.
create or replace function rate_limit_hit(p_key text, p_limit integer, p_window double precision, p_now timestamptz)
returns table (allowed boolean, used integer, retry_after double precision, reset_after double precision)
language sql as $$
  select t.granted > 0, t.used, t.retry_after, t.reset_after
  from rate_limit_take(p_key, p_limit, p_window, p_now, 1) t
$$;
