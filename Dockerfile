# syntax=docker/dockerfile:1
# Gatehouse image: the webhook, certgen and the controller, which drives Debian's nginx.
#   docker build -t ghcr.io/gatehouse/gatehouse:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first: the npm ci layer is reused until dependencies change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, compiled code, nginx ----
FROM ${NODE_IMAGE} AS runtime
# Debian's nginx for controller mode; it links the same libpcre2-8 Gatehouse loads to check
# regex paths exactly as nginx will compile them.
RUN apt-get update \
  && apt-get install -y --no-install-recommends nginx \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
# cli.js starts with `#!/usr/bin/env node`; the link puts `gatehouse` on PATH for ENTRYPOINT.
RUN chmod 0755 /app/dist/src/cli.js && ln -s /app/dist/src/cli.js /usr/local/bin/gatehouse
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
# 8443: admission webhook (HTTPS); 10254: /healthz, /readyz, /metrics.
EXPOSE 8443 10254
ENTRYPOINT ["gatehouse"]
