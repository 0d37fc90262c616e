# Sourced by scripts/container-check.sh: the two ways of running the image, each driven over
# HTTP by scripts/container-smoke.ts. Expects DOCKER, IMAGE, APP, VOLUME, PROJECT, RUN_PORT,
# COMPOSE_PORT, DASHBOARD, RUN and the FIG array, now_ms and since.

EMAIL="container-$(date +%s)@example.com"
PASSWORD="correct horse battery staple"
JWT=$(bun -e 'console.log(crypto.randomUUID() + crypto.randomUUID())')

# Prints "ok - WHAT" when the command succeeds; otherwise "not ok - WHAT" and fails.
expect() {
  local what=$1
  shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what" >&2; return 1; fi
}

# Runs the smoke script against a port; prints its lines and stores its time to /ready in FIG[$3].
smoke() {
  local port=$1 started=$2 figure=$3 out
  shift 3
  out=$(bun scripts/container-smoke.ts --url="http://127.0.0.1:$port" --started-at="$started" \
    --email="$EMAIL" --password="$PASSWORD" --dashboard="$DASHBOARD" "$@") ||
    { echo "$out"; return 1; }
  echo "$out" | grep -v '^SMOKE_RESULT'
  FIG[$figure]=$(echo "$out" | sed -n 's/^SMOKE_RESULT ready_ms=//p')
}

# Waits for Docker's health status of container $1 (called $2); stores the seconds since $3 in FIG[$4].
wait_healthy() {
  local container=$1 name=$2 started=$3 figure=$4 status
  for _ in $(seq 1 240); do
    status=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$container")
    if [ "$status" = healthy ]; then
      FIG[$figure]=$(( $(since "$started") / 1000 ))
      echo "ok - Docker reports $name healthy (the image's HEALTHCHECK on /ready)"
      return 0
    fi
    [ "$status" = unhealthy ] && break
    sleep 0.5
  done
  echo "not ok - $name is $status" >&2
  "$DOCKER" inspect -f '{{json .State.Health}}' "$container" >&2
  return 1
}

# The server's own start-to-ready time (its last "ready" log line), without Docker's share.
server_ready_ms() {
  "$DOCKER" logs "$1" 2>/dev/null | grep '"msg":"ready"' | tail -1 | sed -n 's/.*"ms":\([0-9]*\).*/\1/p'
}

# A container's memory use as Docker reports it (cgroup usage: includes the page cache).
memory() { "$DOCKER" stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1 | tr -d ' '; }

# The user a process named $2 runs as inside container $1 (read from /proc: no ps in the image).
process_uid() {
  "$DOCKER" exec "$1" sh -c "for s in /proc/[0-9]*/status; do
    grep -q '^Name:[[:space:]]*$2\$' \"\$s\" 2>/dev/null && awk '/^Uid:/ { print \$2; exit }' \"\$s\" && break
  done"
}

check_docker_run() {
  section "docker run: embedded Postgres (DATABASE_URL unset), data on volume $VOLUME"
  "$DOCKER" volume create "$VOLUME" >/dev/null
  local started
  started=$(now_ms)
  "$DOCKER" run -d --name "$APP" -p "127.0.0.1:$RUN_PORT:8000" -e JWT_SECRET_KEY="$JWT" \
    -v "$VOLUME:/data" "$IMAGE" >/dev/null
  smoke "$RUN_PORT" "$started" run_cold_ready_ms || { "$DOCKER" logs "$APP" | tail -20; return 1; }
  FIG[run_cold_server_ms]=$(server_ready_ms "$APP")
  FIG[run_memory]=$(memory "$APP")
  expect "the server runs as uid 1000 (bun), not root" test "$(process_uid "$APP" bun)" = 1000
  expect "the embedded postgres runs as uid 1000 too" test "$(process_uid "$APP" postgres)" = 1000
  expect "the cluster is in the volume (/data/postgres)" "$DOCKER" exec "$APP" test -s /data/postgres/PG_VERSION
  wait_healthy "$APP" app "$started" run_healthy_s

  started=$(now_ms)
  "$DOCKER" stop -t 30 "$APP" >/dev/null
  FIG[run_stop_ms]=$(since "$started")
  expect "docker stop: exit code 0 after ${FIG[run_stop_ms]} ms" \
    test "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$APP")" = 0
  expect "docker stop: the server logged a graceful shutdown" \
    sh -c "'$DOCKER' logs '$APP' 2>&1 | grep -q '\"msg\":\"stopped\"'"

  started=$(now_ms)
  "$DOCKER" start "$APP" >/dev/null
  smoke "$RUN_PORT" "$started" run_warm_ready_ms --login || { "$DOCKER" logs "$APP" | tail -20; return 1; }
  FIG[run_warm_server_ms]=$(server_ready_ms "$APP")
  "$DOCKER" logs "$APP" >"$RUN/app-docker-run.log" 2>&1
  "$DOCKER" rm -f "$APP" >/dev/null
  "$DOCKER" volume rm "$VOLUME" >/dev/null
}

check_compose() {
  section "docker-compose $(docker-compose version --short): app + postgres:17"
  export JWT_SECRET_KEY="$JWT" ACE_HOST_PORT="$COMPOSE_PORT" POSTGRES_PASSWORD="ace-check-$RANDOM"
  local started app db
  expect "docker-compose config accepts docker-compose.yml" docker-compose -p "$PROJECT" config -q
  started=$(now_ms)
  docker-compose -p "$PROJECT" build >"$RUN/compose-build.log" 2>&1 ||
    { tail -30 "$RUN/compose-build.log" >&2; return 1; }
  FIG[compose_build_ms]=$(since "$started")
  started=$(now_ms)
  docker-compose -p "$PROJECT" up -d --no-build 2>&1 | sed 's/^/  /'
  smoke "$COMPOSE_PORT" "$started" compose_ready_ms || { docker-compose -p "$PROJECT" logs --tail=20; return 1; }
  app=$(docker-compose -p "$PROJECT" ps -q app)
  FIG[compose_server_ms]=$(server_ready_ms "$app")
  FIG[compose_memory_app]=$(memory "$app")
  db=$(docker-compose -p "$PROJECT" ps -q postgres)
  expect "Docker reports postgres healthy (pg_isready)" \
    test "$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$db")" = healthy
  wait_healthy "$app" app "$started" compose_healthy_s
  local users
  users=$("$DOCKER" exec -e PGPASSWORD="$POSTGRES_PASSWORD" "$db" \
    psql -h 127.0.0.1 -U ace -d ace -tAc "select count(*) from users where email = '$EMAIL'")
  expect "the account is a row in the compose Postgres (not an embedded one)" test "$users" = 1
  expect "no embedded cluster in the app container" "$DOCKER" exec "$app" test ! -e /data/postgres
  check_release_command "$db"
  started=$(now_ms)
  docker-compose -p "$PROJECT" stop 2>&1 | sed 's/^/  /'
  FIG[compose_stop_ms]=$(since "$started")
  expect "docker-compose stop: app and postgres exit with code 0" \
    test "$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$app" "$db" | sort -u)" = 0
  docker-compose -p "$PROJECT" logs --no-color >"$RUN/compose-up.log" 2>&1
  expect "docker-compose stop: the server logged a graceful shutdown" grep -q '"msg":"stopped"' "$RUN/compose-up.log"
  docker-compose -p "$PROJECT" down -v 2>&1 | sed 's/^/  /'
}

# fly.toml's release step, `bun run migrate` in a one-off container of the image: it applies
# every migration to an empty database, and finds nothing to do on the app's migrated one.
check_release_command() {
  local db=$1 out url="postgres://ace:$POSTGRES_PASSWORD@postgres:5432"
  "$DOCKER" exec -e PGPASSWORD="$POSTGRES_PASSWORD" "$db" \
    psql -q -h 127.0.0.1 -U ace -d ace -c "create database release_check"
  local started
  started=$(now_ms)
  out=$(docker-compose -p "$PROJECT" run --rm --no-deps -e DATABASE_URL="$url/release_check" app bun run migrate 2>&1)
  FIG[release_migrate_ms]=$(since "$started")
  expect "release command on an empty database: $(grep -o '"applied":\[[^]]*\]' <<<"$out")" \
    grep -q '"msg":"migrations applied"' <<<"$out"
  out=$(docker-compose -p "$PROJECT" run --rm --no-deps app bun run migrate 2>&1)
  expect "release command on the app's database: schema up to date" grep -q '"msg":"schema up to date"' <<<"$out"
}
