#!/usr/bin/env bash
# Builds the libFuzzer targets (native/fuzz/*_fuzz.cpp) with clang into build/fuzz/, seeds
# their corpora from the recorded sessions, and optionally runs them.
#   native/fuzz/build.sh               build, seed, and run each target for FUZZ_SECONDS (default 30)
#   native/fuzz/build.sh --no-run      build and seed only
# Each target names the core sources it needs on a `// fuzz-sources:` line (files of
# native/src); a file without one is skipped. Built with ASan and UBSan as well as the fuzzer,
# so a memory error or undefined behaviour is a crash. Crash inputs land in build/fuzz/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/build/fuzz"
mkdir -p "$out"
cxx="${FUZZ_CXX:-clang++}"
flags=(-std=c++17 -O1 -g -fno-exceptions -fno-rtti -Wall -Wextra -Werror
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
captures="${GSC_CAPTURES_DIR:-$(cd "$root/.." && pwd)/shared/captures}"

# A target is rebuilt only when its binary is older than something it is made from (this
# script, the target, any core source or header, a linked library), so a second run, as in
# each `npm test`, costs nothing. Targets compile FUZZ_JOBS at a time (default 2).
jobs="${FUZZ_JOBS:-2}"
deps=()
for dep in "$root"/.deps/src/bearssl-*/inc "$root"/.deps/src/opus-*/include; do [ -d "$dep" ] && deps+=(-isystem "$dep"); done
up_to_date() {  # binary, then the files it is made from
  local binary="$1"; shift
  [ -x "$binary" ] && [ -z "$(find "$@" "$root/native/src" "$root/native/include" -newer "$binary" -print -quit)" ]
}
compile() {  # name, target
  local name="$1" target="$2" sources=() libs=()
  for s in $(sed -n 's|^// fuzz-sources:||p' "$target"); do sources+=("$root/native/src/$s"); done
  # `// fuzz-libs:` names third-party static libraries of the native build (gsc_opus gsc_bearssl),
  # linked uninstrumented, as in native/bench/build.sh.
  for l in $(sed -n 's|^// fuzz-libs:||p' "$target"); do libs+=("$root/build/native/lib$l.a"); done
  if up_to_date "$out/$name" "$0" "$target" "${libs[@]}"; then
    echo "[fuzz] up to date $out/$name" >&2
    return 0
  fi
  # Written under a temporary name, so an interrupted build never leaves a stale binary that looks new.
  "$cxx" "${flags[@]}" -I"$root/native/src" -I"$root/native/include" "${deps[@]}" "$target" "${sources[@]}" "${libs[@]}" -lm -o "$out/$name.tmp"
  mv "$out/$name.tmp" "$out/$name"
  echo "[fuzz] built $out/$name" >&2
}

built=()
need_libs=0
for target in "$root"/native/fuzz/*_fuzz.cpp; do
  name="$(basename "$target" .cpp)"
  if ! grep -q '^// fuzz-sources:' "$target"; then
    echo "[fuzz] skipped $name (no // fuzz-sources: line)" >&2
    continue
  fi
  built+=("$name")
  grep -q '^// fuzz-libs:' "$target" && need_libs=1
done
if [ "$need_libs" = 1 ]; then bash "$root/native/build.sh" native >/dev/null; fi
failed=0
running=0
for name in "${built[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  compile "$name" "$root/native/fuzz/$name.cpp" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
if [ "$failed" != 0 ]; then
  echo "[fuzz] a target failed to build" >&2
  exit 1
fi

# Seeds: runs of real host datagrams from the recorded sessions, in each target's input layout
# (native/fuzz/seed_corpus.py says which).
for target in video session; do
  [ -x "$out/${target}_fuzz" ] || continue
  corpus="$out/${target}_corpus"
  mkdir -p "$corpus"
  python3 "$root/native/fuzz/seed_corpus.py" "$target" "$captures" "$corpus"
  echo "[fuzz] seeded $corpus with $(ls "$corpus" | wc -l) inputs" >&2
done
[ "${1:-}" = "--no-run" ] && exit 0

seconds="${FUZZ_SECONDS:-30}"
for name in "${built[@]}"; do
  target="$out/$name"
  corpus="$out/${name%_fuzz}_corpus"
  mkdir -p "$corpus"
  echo "[fuzz] running $name for ${seconds}s" >&2
  (cd "$out" && "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "$corpus")
done
