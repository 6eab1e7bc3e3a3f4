#!/usr/bin/env bash
# One-time, idempotent set-up for a fresh Debian machine: system packages through apt,
# the core's C libraries from Debian source packages, and npm packages.
# Everything fetched lands in ignored folders (.deps/, node_modules/) and is reused.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# command -> Debian package providing it
declare -A NEED=(
  [emcc]=emscripten [cmake]=cmake [chromium]=chromium [ffmpeg]=ffmpeg
  [clang]=clang [openssl]=openssl [dpkg-source]=dpkg-dev [make]=make [g++]=g++
  [xz]=xz-utils [zip]=zip
)
missing=()
for cmd in "${!NEED[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEED[$cmd]}"); done
# libFuzzer's runtime ships with clang's runtime package, not with clang itself.
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || missing+=(libclang-rt-14-dev)
apt_updated=0
apt_update() { [ "$apt_updated" = 1 ] || { log "apt-get update"; as_root apt-get update -qq >/dev/null; apt_updated=1; }; }
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# C libraries of the core, from Debian source packages (never committed).
DEPS=.deps/src
mkdir -p "$DEPS"
need_src=()
ls -d "$DEPS"/bearssl-*/ >/dev/null 2>&1 || need_src+=(bearssl)
ls -d "$DEPS"/opus-*/ >/dev/null 2>&1 || need_src+=(opus)
if [ "${#need_src[@]}" -gt 0 ]; then
  if ! grep -rqs '^\(Types:.*deb-src\|deb-src \)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding a deb-src entry"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      as_root sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
    else
      grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | as_root tee /etc/apt/sources.list.d/deb-src.list >/dev/null
    fi
    apt_updated=0
  fi
  apt_update
  log "apt-get source ${need_src[*]}"
  (cd "$DEPS" && apt-get source -qq "${need_src[@]}" >/dev/null 2>&1)
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm install"
  npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
