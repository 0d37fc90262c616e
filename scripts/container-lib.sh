# Sourced by scripts/container-check.sh: a private Docker daemon, and putting the host back as it
# was afterwards. dockerd changes the host and leaves the changes behind when it stops: iptables
# chains and rules, the FORWARD policy (DROP), the docker0 bridge, net.ipv4.ip_forward (1). We
# snapshot those before it starts and restore and compare them after it stops.
#
# Expects: STATE (persistent dir: images, build cache), RUN (this run's dir), DOCKER (client).

DOCKERD_PID=""

# iptables-save without comments and packet counters, so two snapshots compare equal.
netfilter_dump() { "$1" 2>/dev/null | sed -E '/^#/d; s/ \[[0-9]+:[0-9]+\]$//'; }

link_names() { ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }

snapshot_host() {
  mkdir -p "$RUN/host"
  netfilter_dump iptables-save >"$RUN/host/iptables"
  netfilter_dump ip6tables-save >"$RUN/host/ip6tables"
  cat /proc/sys/net/ipv4/ip_forward >"$RUN/host/ip_forward"
  link_names >"$RUN/host/links"
  if grep -qx docker0 "$RUN/host/links"; then
    echo "docker0 exists already: another Docker daemon is running here. Stop it first." >&2
    return 1
  fi
}

start_dockerd() {
  mkdir -p "$STATE/docker" "$RUN/exec"
  dockerd --data-root "$STATE/docker" --exec-root "$RUN/exec" --host "unix://$RUN/docker.sock" \
    --pidfile "$RUN/docker.pid" --log-level warn >"$RUN/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST="unix://$RUN/docker.sock"
  for _ in $(seq 1 120); do
    if "$DOCKER" version >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "dockerd did not come up; its log:" >&2
  tail -20 "$RUN/dockerd.log" >&2
  return 1
}

stop_dockerd() {
  [ -n "$DOCKERD_PID" ] || return 0
  kill -TERM "$DOCKERD_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$DOCKERD_PID" 2>/dev/null || true
  wait "$DOCKERD_PID" 2>/dev/null || true
  # Its containerd and shims run from our exec-root; any left are ours to end, by pid.
  local pid
  for pid in $(pgrep -f -- "$RUN/exec" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  DOCKERD_PID=""
}

unmount_leftovers() {
  local mountpoint
  awk -v a="$STATE/docker" -v b="$RUN" 'index($2, a) == 1 || index($2, b) == 1 { print $2 }' /proc/mounts |
    sort -r | while read -r mountpoint; do umount -l "$mountpoint" 2>/dev/null || true; done
}

# Puts one netfilter family back: tables in the snapshot are restored from it, tables that did
# not exist are emptied and (with the nf_tables backend) deleted.
restore_netfilter() {
  local save=$1 restore=$2 cmd=$3 family=$4 snapshot=$5 table
  for table in $("$save" 2>/dev/null | sed -n 's/^\*//p'); do
    if grep -qx "\*$table" "$snapshot"; then
      sed -n "/^\*$table\$/,/^COMMIT\$/p" "$snapshot" | "$restore"
    else
      "$cmd" -t "$table" -F && "$cmd" -t "$table" -X
      if "$cmd" -V | grep -q nf_tables && command -v nft >/dev/null; then
        nft delete table "$family" "$table" 2>/dev/null || true
      fi
    fi
  done
}

restore_host() {
  unmount_leftovers
  local link
  comm -13 "$RUN/host/links" <(link_names) | while read -r link; do
    case "$link" in docker0 | br-* | veth*) ip link delete "$link" 2>/dev/null || true ;; esac
  done
  restore_netfilter iptables-save iptables-restore iptables ip "$RUN/host/iptables"
  restore_netfilter ip6tables-save ip6tables-restore ip6tables ip6 "$RUN/host/ip6tables"
  cat "$RUN/host/ip_forward" >/proc/sys/net/ipv4/ip_forward
}

# Prints what still differs from the snapshot; returns non-zero when anything does.
verify_host() {
  local differs=0
  diff <(netfilter_dump iptables-save) "$RUN/host/iptables" >&2 || { echo "iptables differ (above)" >&2; differs=1; }
  diff <(netfilter_dump ip6tables-save) "$RUN/host/ip6tables" >&2 || { echo "ip6tables differ (above)" >&2; differs=1; }
  diff <(link_names) "$RUN/host/links" >&2 || { echo "network links differ (above)" >&2; differs=1; }
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$(cat "$RUN/host/ip_forward")" ] ||
    { echo "ip_forward is $(cat /proc/sys/net/ipv4/ip_forward)" >&2; differs=1; }
  if pgrep -f -- "$RUN/exec" >/dev/null; then
    echo "a dockerd or containerd of this run is still alive" >&2
    differs=1
  fi
  return "$differs"
}
