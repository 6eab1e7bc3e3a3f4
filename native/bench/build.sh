#!/usr/bin/env bash
# Builds the native benchmarks and runs them on the recorded sessions.
#   native/bench/build.sh            build every native/bench/*_bench.cpp into build/bench/, then run them
#   native/bench/build.sh --no-run   build only
# Each benchmark names the core sources it needs on a `// bench-sources:` line (files of
# native/src), and may name static libraries of the native build on a `// bench-libs:` line
# (e.g. gsc_bearssl gsc_opus, from build/native/, built by native/build.sh); a file without a
# bench-sources line is skipped. So a new benchmark needs no edit here. Optimised like the
# anchor it is compared with (GCC -O2, design.md), no sanitizers. When valgrind is installed,
# each run is repeated under callgrind with one instrumented pass, which gives exact,
# repeatable instruction counts per frame.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/build/bench"
mkdir -p "$out"
cxx="${CXX:-g++}"
flags=(-std=c++17 -O2 -g -DNDEBUG -Wall -Wextra -Werror -fno-exceptions -fno-rtti)
includes=(-I"$root/native/src" -I"$root/native/include" -I"$root/native/test")
for dep in "$root"/.deps/src/bearssl-*/inc "$root"/.deps/src/opus-*/include; do
  [ -d "$dep" ] && includes+=(-isystem "$dep")
done

for bench in "$root"/native/bench/*_bench.cpp; do
  name="$(basename "$bench" .cpp)"
  if ! grep -q '^// bench-sources:' "$bench"; then
    echo "[bench] skipped $name (no // bench-sources: line)" >&2
    continue
  fi
  sources=()
  for s in $(sed -n 's|^// bench-sources:||p' "$bench"); do sources+=("$root/native/src/$s"); done
  libs=()
  for l in $(sed -n 's|^// bench-libs:||p' "$bench"); do libs+=("$root/build/native/lib$l.a"); done
  "$cxx" "${flags[@]}" "${includes[@]}" "$bench" "${sources[@]}" "${libs[@]}" -lm -o "$out/$name"
  echo "[bench] built $out/$name" >&2
done
[ "${1:-}" = "--no-run" ] && exit 0

captures="${GSC_CAPTURES_DIR:-$(cd "$root/.." && pwd)/shared/captures}"
sessions=(sunshine-0.23.1/dev-h264-720p60 sunshine-0.23.1/dev-h265-720p60 sunshine-2026.817/dev-h264-720p60)

# Instructions per frame of one pass under callgrind: "Collected" divided by the frames printed.
instructions_per_frame() {
  local log
  log="$(mktemp)"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null "$@" --passes 1 >"$log.out" 2>"$log"
  local collected frames
  collected="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")"
  frames="$(sed -n 's/^frames \([0-9]*\)$/\1/p' "$log.out")"
  rm -f "$log" "$log.out"
  if [ -n "$collected" ] && [ -n "$frames" ] && [ "$frames" -gt 0 ]; then
    echo "  callgrind: $((collected / frames)) instructions per frame ($collected over $frames frames)"
  fi
}

if [ -x "$out/audio_bench" ]; then
  for session in "${sessions[@]}"; do
    [ -f "$captures/$session/capture.pcap" ] || continue
    echo "== audio $session"
    "$out/audio_bench" "$captures/$session" 40
  done
fi

if [ -x "$out/video_bench" ]; then
  for session in "${sessions[@]}"; do
    [ -f "$captures/$session/capture.pcap" ] || continue
    for loss in 0 19; do
      for mode in "" --in-place; do
        echo "== video $session, loss setting $loss ${mode:-(copying)}"
        "$out/video_bench" "$captures/$session" --loss "$loss" --passes 300 $mode | grep -v '^frames '
        if command -v valgrind >/dev/null 2>&1; then
          instructions_per_frame "$out/video_bench" "$captures/$session" --loss "$loss" $mode
        fi
      done
    done
  done
fi
