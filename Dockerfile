# syntax=docker/dockerfile:1
# nfs-provisioner-ts image: `docker build -t nfs-provisioner-ts:0.1.0 .`
# Node 24 LTS, the same major the tests run on (package.json pins node 24 as a devDependency).
ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: full install, compile lib/ -> dist/, then drop dev dependencies ---------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts stay on: the `node` devDependency's script fetches the Node binary the npm
# scripts (tsc) run on, as in CI.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY lib ./lib
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: compiled code and production dependencies only -------------------------------------
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="nfs-provisioner-ts" \
      org.opencontainers.image.description="Kubernetes external provisioner for NFS, drop-in for nfs-subdir-external-provisioner" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
# libuv's thread pool is shared by every export's fs slots (FS_CONCURRENCY each, 2 by default) and
# the process's own work (DNS, token reads); a hung export holds its slots' threads. 16 threads
# keep 2 free with seven exports at the default; the provisioner exits 2 naming UV_THREADPOOL_SIZE
# if the exports' slots would leave fewer. npm start and the harness set the same.
ENV UV_THREADPOOL_SIZE=16
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY LICENSE ./LICENSE
# Root on purpose: the provisioner chowns and chmods directories on the NFS export (class
# parameters uid/gid/mode, 0777 by default) and archives or deletes directories other users own.
# The Deployment keeps only the CHOWN, FOWNER, DAC_OVERRIDE and FSETID capabilities.
USER root
# /healthz, /readyz, /metrics (HTTP_LISTEN); the export is mounted at /persistentvolumes.
EXPOSE 8080
# Node runs as PID 1 directly: main.ts handles SIGTERM/SIGINT itself (stop, release the Lease,
# exit 0) and spawns no child processes, so no init process is needed. No HEALTHCHECK: the
# Kubernetes probes on /healthz and /readyz do that job.
# --enable-source-maps: stack traces in logs name lib/*.ts lines. --max-semi-space-size=2: V8's
# young generation otherwise grows to 16 MiB semi-spaces; 2 MiB keeps RSS with 10 000 PVs cached
# near 125 MiB instead of ~190 MiB (npm run bench, scale scenario). The harness and the bench run
# the provisioner with the same flags (harness/provisioner-process.ts, checked by a test).
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=2", "dist/main.js"]
