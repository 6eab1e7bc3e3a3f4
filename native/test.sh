#!/usr/bin/env bash
# Runs the native tests of the core (building them first when needed); exits non-zero when
# a test fails. Arguments go to the test binary: a substring selects the cases to run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/native/build.sh" native
# Leaks count as failures; halt_on_error keeps a memory error from being reported as a pass.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Recorded Sunshine sessions for replay tests (shared/ sits beside the repository).
export GSC_CAPTURES_DIR="${GSC_CAPTURES_DIR:-$(cd "$root/.." && pwd)/shared/captures}"
exec "$root/build/native/gsc_tests" "$@"
