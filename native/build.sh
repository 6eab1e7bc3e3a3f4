#!/usr/bin/env bash
# Builds the core from native/CMakeLists.txt, twice:
#   build/native/  gcc/g++: libgsc_core.a and the native test binary gsc_tests
#                  (our code under AddressSanitizer + UBSan; GSC_SANITIZE=0 turns that off)
#   build/wasm/    Emscripten: core.wasm, standalone, no JS glue
# Usage: native/build.sh [native|wasm]... (default: both). Configures a build folder once;
# after that each run is an incremental ninja build (CMake re-runs itself when a CMake file
# changes or a source file appears).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log() { printf '[native] %s\n' "$*" >&2; }

# Emscripten's optimizer runs on the system's Node modules in Debian's package (design.md).
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
jobs="${GSC_BUILD_JOBS:-2}"
generator=(-G Ninja)
command -v ninja >/dev/null 2>&1 || generator=(-G "Unix Makefiles")

configure_once() {
  local dir="$1"; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring $dir"
    "$@" -S "$root/native" -B "$dir" "${generator[@]}" -Wno-dev >/dev/null
  fi
}

build_native() {
  local dir="$root/build/native"
  configure_once "$dir" cmake -DGSC_SANITIZE="${GSC_SANITIZE:-1}"
  cmake --build "$dir" --parallel "$jobs"
}

build_wasm() {
  local dir="$root/build/wasm"
  configure_once "$dir" emcmake cmake
  cmake --build "$dir" --parallel "$jobs"
}

# Engineers share one working tree: concurrent builds take turns instead of racing ninja.
mkdir -p "$root/build"
exec 9>"$root/build/.native-build.lock"
flock 9

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(native wasm)
for target in "${targets[@]}"; do
  case "$target" in
    native) build_native ;;
    wasm) build_wasm ;;
    *) log "unknown target '$target' (expected native or wasm)"; exit 2 ;;
  esac
done
