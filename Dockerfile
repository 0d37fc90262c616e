# syntax=docker/dockerfile:1
# Multi-stage build on Bun's Debian image: not Alpine, because the embedded Postgres binaries
# (used when DATABASE_URL is unset) need glibc.
ARG BUN_VERSION=1.4.5

FROM oven/bun:${BUN_VERSION}-debian AS deps
WORKDIR /app
COPY package.json bun.lock ./
COPY admin/package.json admin/package.json
RUN bun install --frozen-lockfile --production

FROM oven/bun:${BUN_VERSION}-debian AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bun.lock main.ts ./
COPY boot ./boot
COPY api ./api
COPY core ./core
COPY worker ./worker
COPY sql ./sql
COPY playbooks ./playbooks
# Non-root: the embedded Postgres refuses to run as root, and so should the app.
RUN mkdir -p /data && chown -R bun:bun /data
USER bun
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD bun -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/ready').then(r => process.exit(r.ok ? 0 : 1)).catch(() => process.exit(1))"
CMD ["bun", "run", "start"]
