#!/usr/bin/env bash
# Builds the Gatehouse image with podman on a machine that cannot pull from any container
# registry (CI). The Dockerfile is the one users build on node:24-bookworm-slim; here its
# NODE_IMAGE build argument names a local base instead: Debian bookworm minbase made by
# mmdebstrap from the machine's apt sources, the official Node 24 binary from the npm package
# node@24, npm from the npm registry, and the machine's CA bundle. Nothing else is downloaded.
#
#   scripts/build-image.sh [IMAGE]     default gatehouse:ci
#
# Needs root, Debian's podman, runc and mmdebstrap (podman build embeds buildah: its CLI is not
# needed), and Node 24 on PATH; .ci/run provides all of them. The base is built once and reused
# while Node, the CA bundle and BASE_REVISION stay the same; `podman rmi` the printed name to
# rebuild it.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${1:-gatehouse:ci}"
# runc and the ulimits this machine allows (see the file).
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/scripts/containers.conf}"
# Bump when the base recipe below changes, so a cached base is not reused.
BASE_REVISION=1
SUITE=bookworm
# The machine reaches the npm registry through a TLS-intercepting proxy whose CA only its own
# bundle holds; npm inside the build needs it too (the Dockerfile's NODE_EXTRA_CA_CERTS).
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

log() { printf '== %s (%ss)\n' "$*" "$SECONDS" >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Runs "$@" with its output in a log that is shown only when it fails. (set -e does not apply
# inside it: each step of a function it runs ends with || return.)
quietly() {
  if ! "$@" >"$work/out.log" 2>&1; then
    cat "$work/out.log" >&2
    return 1
  fi
}

if [ "$(id -u)" != 0 ] || ! command -v podman >/dev/null 2>&1; then
  echo "build-image: needs root and podman (apt-get install podman runc mmdebstrap)" >&2
  exit 1
fi
node_version="$(node -p 'process.versions.node')"
if [ "${node_version%%.*}" != 24 ]; then
  echo "build-image: needs Node 24 on PATH for the image's base (this is $node_version); .ci/run installs node@24 from npm" >&2
  exit 1
fi
node_bin="$(node -p 'process.execPath')"
ca_tag=noca
[ -f "$CA_BUNDLE" ] && ca_tag="ca$(sha256sum "$CA_BUNDLE" | cut -c1-8)"
base="localhost/gatehouse-base:$SUITE-node$node_version-$ca_tag-r$BASE_REVISION"

build_base() {
  # npm laid out as the node images have it: /usr/local/lib/node_modules/npm, linked from /usr/local/bin.
  npm install --global --prefix "$work/npm" --no-audit --no-fund --loglevel=error npm@11 || return
  # The machine's Debian sources (mirror and security), else Debian's default mirror.
  local sources=/etc/apt/sources.list.d/debian.sources
  [ -f "$sources" ] || sources="http://deb.debian.org/debian"
  local ca_hook=true
  [ -f "$CA_BUNDLE" ] && ca_hook="install -D -m 0644 '$CA_BUNDLE' \"\$1$CA_BUNDLE\""
  # minbase: Essential and apt only. merged-usr: /bin -> usr/bin as in every bookworm image. The
  # path excludes are debian:bookworm-slim's (no manuals, docs or translations); they stay in
  # force for the nginx that the Dockerfile installs on top.
  mmdebstrap --mode=root --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="install -D -m 0755 '$node_bin' \"\$1/usr/local/bin/node\"" \
    --customize-hook="cp -a '$work/npm/lib' \"\$1/usr/local/\" && cp -a '$work/npm/bin/.' \"\$1/usr/local/bin/\"" \
    --customize-hook="$ca_hook" \
    --customize-hook='chroot "$1" env PATH=/usr/local/bin:/usr/bin sh -c "node --version && npm --version"' \
    "$SUITE" "$work/rootfs.tar" "$sources" || return
  podman import --quiet --change 'CMD ["node"]' "$work/rootfs.tar" "$base" || return
  rm -f "$work/rootfs.tar"
}

if podman image exists "$base"; then
  log "base $base (cached)"
else
  log "base $base: mmdebstrap $SUITE minbase + node $node_version"
  quietly build_base
fi

build_args=(--build-arg "NODE_IMAGE=$base")
[ -f "$CA_BUNDLE" ] && build_args+=(--build-arg "NODE_EXTRA_CA_CERTS=$CA_BUNDLE")
previous="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
log "podman build $IMAGE"
# --pull=never: the base is local and nothing may come from a registry. --network host: apt and
# npm inside the build reach Debian's mirror and the npm registry as the machine does.
quietly podman build --pull=never --network host "${build_args[@]}" --tag "$IMAGE" --file Dockerfile .
current="$(podman image inspect --format '{{.Id}}' "$IMAGE")"
# The image this build replaced is now untagged: remove it (by ID, only that one).
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
log "$IMAGE built: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"
