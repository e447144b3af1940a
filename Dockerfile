# syntax=docker/dockerfile:1

# One image for every role: ROLE=all|api|worker decides what the container runs.
#   docker build -t hookyard .        (docker compose builds it too)
# Set DATABASE_URL and REDIS_URL: the embedded PostgreSQL of `npm start` is not for containers.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
# package.json's "allowScripts" lists which dependencies may run install scripts and denies
# some. npm 11 honours it; the npm 10 that ships with Node 20 ignores it and runs them all.
# 11.19.1 is the npm the lockfile was written with.
ARG NPM_VERSION=11.19.1
RUN npm install --global "npm@${NPM_VERSION}" \
  && npm cache clean --force
ENV npm_config_audit=false \
  npm_config_fund=false \
  npm_config_update_notifier=false
WORKDIR /app

FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM base AS runtime
ENV NODE_ENV=production
# The code index fetches repositories with git (mirrors under INDEX_DIR, default .data/index).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only. embedded-postgres is never started here (DATABASE_URL is set),
# but its platform binaries (@embedded-postgres/<platform>, about 60 MB) must stay: the package
# resolves them as soon as it is imported, and src/runtime.ts imports it at start-up, so
# removing them (or --omit=optional) makes every start fail with ERR_MODULE_NOT_FOUND.
RUN npm ci --omit=dev \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
# DATA_DIR (./.data): where a generated admin token / secrets key go when the env sets none.
RUN mkdir -p .data && chown node:node .data
USER node

EXPOSE 3000
# Liveness of the HTTP server. A ROLE=worker container has no HTTP server: disable it there
# (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 is fine: Hookyard handles SIGTERM/SIGINT itself (graceful shutdown).
CMD ["node", "dist/main.js"]
