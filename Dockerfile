# syntax=docker/dockerfile:1
# Gatehouse image: the webhook, certgen and the controller, which drives Debian's nginx.
#   docker build -t ghcr.io/gatehouse/gatehouse:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
# Only for builds behind a TLS-intercepting proxy: a CA bundle in the base image that npm must
# trust (scripts/build-image.sh's local base carries its machine's). An ARG is in the RUN steps'
# environment only, never in the image's; empty (the default) is ignored by Node.
# https://nodejs.org/api/cli.html#node_extra_ca_certsfile
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /app
# Manifests first: the npm ci layer is reused until dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, compiled code, nginx ----
FROM ${NODE_IMAGE} AS runtime
ARG NODE_EXTRA_CA_CERTS=
# Debian's nginx for controller mode; it links the same libpcre2-8 Gatehouse loads to check
# regex paths exactly as nginx will compile them. libnginx-mod-http-lua (with lua-resty-core)
# runs lua/gatehouse/endpoints.lua: endpoint changes without reloads (docs/controller.md).
RUN apt-get update \
  && apt-get install -y --no-install-recommends nginx libnginx-mod-http-lua \
  && apt-get clean \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Production dependencies only (optional ones stay: koffi's binary for this platform is one).
# Then what is never read at run time: recheck's optional Java and native backends (~50 MB;
# Gatehouse runs its pure-JavaScript one, src/pcre/backtracking.ts), type declarations, source
# maps, npm's cache and compile cache.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/recheck-jar node_modules/recheck-linux-* \
  && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.js.map' -o -name '*.mjs.map' -o -name '*.cjs.map' \) -delete \
  && rm -rf /root/.npm /tmp/node-compile-cache
COPY --from=build /app/dist/src ./dist/src
# Static Lua source nginx loads (lua_package_path): the endpoint balancer.
COPY lua ./lua
# cli.js starts with `#!/usr/bin/env node`; the link puts `gatehouse` on PATH for ENTRYPOINT.
RUN chmod 0755 /app/dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/gatehouse
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
# 8443: admission webhook (HTTPS); 10254: /healthz, /readyz, /metrics.
EXPOSE 8443 10254
ENTRYPOINT ["gatehouse"]
