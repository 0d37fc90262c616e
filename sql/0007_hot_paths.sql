-- Hot paths at the speed of the database (issue 13).

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
