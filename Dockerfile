# The Switchboard API as a container (ECS Fargate, `-c apiRuntime=ecs`): the same Hono app the
# Api, AuthService and LeadIngest Lambdas serve (packages/server/src/engine/container/main.ts),
# bundled by scripts/build-container.mjs exactly as `npm run build:container` does.

# --- build: install from the lockfile, bundle the entry with esbuild -------------------------
FROM node:22-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/contracts/package.json packages/contracts/
COPY packages/server/package.json packages/server/
COPY packages/infra/package.json packages/infra/
COPY packages/web/package.json packages/web/
# No install scripts: nothing the bundle carries needs one (re2-wasm is WebAssembly, esbuild's
# binary comes as its platform package).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY packages/contracts/src packages/contracts/src
COPY packages/server/src packages/server/src
COPY scripts/build-container.mjs scripts/
RUN node scripts/build-container.mjs /out

# --- run: the bundle and re2-wasm, nothing else, as an unprivileged user ---------------------
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /out/ ./
# `node` (uid 1000) comes with the image; it owns nothing here and the root filesystem can be
# mounted read-only (the task does; /tmp is a volume).
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form, PID 1): it drains in-flight requests, then exits.
CMD ["node", "--enable-source-maps", "main.mjs"]
