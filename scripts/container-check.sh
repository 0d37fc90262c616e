#!/usr/bin/env bash
# Proves the container for real, on a machine without an image registry (run by hand, as root;
# too slow and privileged for .ci/run). See docs/OPERATIONS.md, "Container and Fly".
#
#   sudo bash scripts/container-check.sh [--cold] [--purge]
#
# 1. static checks of Dockerfile / docker-compose.yml / fly.toml (container-config-check.ts);
# 2. a private dockerd (own data-root, exec-root and socket; the host's iptables, docker0 and
#    ip_forward are snapshotted first);
# 3. local stand-in base images when missing (container-bases.sh);
# 4. the app image with the classic builder (--cold: its cached layers deleted first);
# 5. `docker run` with the embedded Postgres on a volume: /ready, `/`, register, API key, MCP
#    calls, the HEALTHCHECK turning healthy, a graceful `docker stop`, a restart that keeps the data;
# 6. `docker-compose up` (app + postgres:17): the same calls, both health checks, the rows in
#    the compose Postgres;
# 7. timings, then everything removed and the host put back and compared with the snapshot.
# Logs of the last run (dockerd, builds) are kept in $ACE_CONTAINER_STATE/last-run.
# Images and build cache stay in $ACE_CONTAINER_STATE (default /var/lib/ace-container-check) for
# the next run; --purge deletes them at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${ACE_CONTAINER_STATE:-/var/lib/ace-container-check}
RUN=/run/ace-container-check
DOCKER=/usr/bin/docker # Debian's client, matching its dockerd (another may come first on PATH)
IMAGE=ace-platform:check
APP=ace-check-app
VOLUME=ace-check-data
PROJECT=acecheck
RUN_PORT=${ACE_CHECK_RUN_PORT:-18431}
COMPOSE_PORT=${ACE_CHECK_COMPOSE_PORT:-18432}
COLD=0
PURGE=0
for arg in "$@"; do
  case "$arg" in
    --cold) COLD=1 ;;
    --purge) PURGE=1 ;;
    *) echo "usage: $0 [--cold] [--purge]" >&2; exit 2 ;;
  esac
done
cd "$ROOT"
BUN_VERSION=$(bun -e 'console.log(require("./package.json").packageManager.split("@")[1])')
# shellcheck source=scripts/container-lib.sh
source scripts/container-lib.sh
# shellcheck source=scripts/container-bases.sh
source scripts/container-bases.sh

[ "$(id -u)" = 0 ] || { echo "run as root (it starts dockerd)" >&2; exit 1; }
for tool in dockerd "$DOCKER" docker-compose debootstrap iptables-save ip npm bun; do
  command -v "$tool" >/dev/null ||
    { echo "missing $tool: apt-get install -y docker.io docker-compose debootstrap" >&2; exit 1; }
done
[ -d node_modules ] || { echo "run bun install first" >&2; exit 1; }
if [ -e "$RUN/docker.pid" ] && kill -0 "$(cat "$RUN/docker.pid")" 2>/dev/null; then
  echo "a container check is already running (pid $(cat "$RUN/docker.pid"))" >&2
  exit 1
fi

section() { printf '\n== %s\n' "$*"; }
now_ms() { date +%s%3N; }
since() { echo $(( $(now_ms) - $1 )); }
declare -A FIG

section "static checks"
bun scripts/container-config-check.ts | grep -v '^ok - '

cleanup() {
  local rc=$?
  set +e
  section "cleanup"
  if [ -n "$DOCKERD_PID" ]; then
    docker-compose -p "$PROJECT" down -v --remove-orphans >/dev/null 2>&1
    "$DOCKER" rm -f "$APP" >/dev/null 2>&1
    "$DOCKER" volume rm "$VOLUME" >/dev/null 2>&1
  fi
  stop_dockerd
  restore_host
  if verify_host; then
    echo "host restored: iptables, ip6tables, network links and ip_forward as before; no dockerd left"
  else
    echo "HOST NOT RESTORED (differences above)" >&2
    rc=1
  fi
  rm -rf "$STATE/last-run" && mkdir -p "$STATE/last-run" && cp "$RUN"/*.log "$STATE/last-run/" 2>/dev/null
  rm -rf "$RUN"
  [ "$PURGE" = 1 ] && rm -rf "$STATE" && echo "purged $STATE"
  exit "$rc"
}

rm -rf "$RUN"
mkdir -p "$RUN"
snapshot_host
trap cleanup EXIT
trap 'exit 130' INT TERM
start_dockerd
echo "dockerd $("$DOCKER" version -f '{{.Server.Version}}') on $DOCKER_HOST, data in $STATE/docker"

section "base images"
started=$(now_ms)
ensure_bases
FIG[bases_s]=$(( $(since "$started") / 1000 ))
for tag in debian:bookworm-slim "oven/bun:$BUN_VERSION-debian" postgres:17; do
  echo "$tag  $(( $("$DOCKER" image inspect -f '{{.Size}}' "$tag") / 1000000 )) MB (local stand-in)"
done

section "image (DOCKER_BUILDKIT=0$([ "$COLD" = 1 ] && echo ', cold'))"
if [ "$COLD" = 1 ]; then
  # The classic builder's cache is the images themselves. Deleting them (rather than building
  # with --no-cache, which leaves a second chain for the cache to pick from at random) makes
  # this build cold and the next ones warm.
  "$DOCKER" image rm -f "$IMAGE" "${PROJECT}_app" >/dev/null 2>&1 || true
  "$DOCKER" image prune -f >/dev/null
fi
started=$(now_ms)
DOCKER_BUILDKIT=0 "$DOCKER" build -t "$IMAGE" . >"$RUN/build.log" 2>&1 ||
  { tail -30 "$RUN/build.log" >&2; exit 1; }
FIG[build_ms]=$(since "$started")
FIG[image_mb]=$(( $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE") / 1000000 ))
grep -h '^NOTE:' "$RUN/build.log" || true
echo "built $IMAGE in ${FIG[build_ms]} ms, ${FIG[image_mb]} MB; its largest layers:"
"$DOCKER" history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | grep -v '^0B' | cut -c1-110 | head -6 | sed 's/^/  /'
if bun -e 'process.exit(require("./admin/package.json").scripts?.build ? 0 : 1)'; then
  DASHBOARD=present
  "$DOCKER" run --rm "$IMAGE" test -s /app/admin/build/index.html ||
    { echo "not ok - admin has a build script but the image has no admin/build/index.html" >&2; exit 1; }
  echo "ok - the image carries the dashboard build (/app/admin/build/index.html)"
else
  DASHBOARD=absent
fi

source scripts/container-run.sh
check_docker_run
check_compose

section "figures"
for key in $(printf '%s\n' "${!FIG[@]}" | sort); do printf '%-28s %s\n' "$key" "${FIG[$key]}"; done
