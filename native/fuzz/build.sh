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

# Seeds for the video target: runs of real datagrams from udp/47998 of each session, in the
# target's input layout (selector byte, then 2-byte length + datagram records).
if [ -x "$out/video_fuzz" ]; then
  corpus="$out/video_corpus"
  mkdir -p "$corpus"
  python3 - "$captures" "$corpus" <<'PY'
import os, struct, sys
captures, corpus = sys.argv[1], sys.argv[2]
def datagrams(path):
    data = open(path, 'rb').read()
    at = 24
    while at + 16 <= len(data):
        incl = struct.unpack_from('<I', data, at + 8)[0]
        frame = data[at + 16: at + 16 + incl]
        at += 16 + incl
        if len(frame) < 42 or frame[12:14] != b'\x08\x00' or frame[23] != 17:
            continue
        ihl = (frame[14] & 15) * 4
        udp = 14 + ihl
        sport = struct.unpack_from('>H', frame, udp)[0]
        if sport == 47998:
            yield frame[udp + 8:]
for session in ('sunshine-0.23.1/dev-h264-720p60', 'sunshine-0.23.1/dev-h265-720p60', 'sunshine-2026.817/dev-h264-720p60'):
    path = os.path.join(captures, session, 'capture.pcap')
    if not os.path.exists(path):
        continue
    packets = list(datagrams(path))
    for n, start in enumerate(range(0, min(len(packets), 400), 40)):
        for selector in (0x00, 0x31):
            body = bytes([selector | (1 if 'h265' in session else 0)])
            for p in packets[start:start + 12]:
                body += struct.pack('<H', len(p)) + p
            name = '%s-%d-%02x' % (session.replace('/', '_'), n, selector)
            open(os.path.join(corpus, name), 'wb').write(body)
PY
  echo "[fuzz] seeded $corpus with $(ls "$corpus" | wc -l) inputs" >&2
fi
# Seeds for the session target: runs of the host's video, audio and control datagrams of each
# session in its layout (a config byte; then per datagram an opcode with the channel and the
# milliseconds since the previous one, and a 2-byte length).
if [ -x "$out/session_fuzz" ]; then
  corpus="$out/session_corpus"
  mkdir -p "$corpus"
  python3 - "$captures" "$corpus" <<'PY'
import os, struct, sys
captures, corpus = sys.argv[1], sys.argv[2]
def datagrams(path):
    data = open(path, 'rb').read()
    at = 24
    while at + 16 <= len(data):
        sec, usec, incl = struct.unpack_from('<III', data, at)
        frame = data[at + 16: at + 16 + incl]
        at += 16 + incl
        if len(frame) < 42 or frame[12:14] != b'\x08\x00' or frame[23] != 17:
            continue
        udp = 14 + (frame[14] & 15) * 4
        sport = struct.unpack_from('>H', frame, udp)[0]
        channel = {47998: 0, 48000: 1, 47999: 2}.get(sport)
        if channel is not None:
            yield sec * 1000000 + usec, channel, frame[udp + 8:]
# Config bytes: bit 0 media only (else with the control stream), 0x04 HEVC, 0x10 encrypted
# video, 0x20 encrypted audio.
sessions = (('sunshine-0.23.1/dev-h264-720p60', 0x20), ('sunshine-0.23.1/dev-h265-720p60', 0x24),
            ('sunshine-2026.817/dev-h265-720p60-encvideo', 0x34))
for session, selector in sessions:
    path = os.path.join(captures, session, 'capture.pcap')
    if not os.path.exists(path):
        continue
    packets = list(datagrams(path))
    for n, start in enumerate(range(0, min(len(packets), 1200), 150)):
      for media_only in (1, 0):
        body, last = bytes([selector | media_only]), None
        for time_us, channel, payload in packets[start:start + 24]:
            delta_ms = 0 if last is None else min(31, (time_us - last) // 1000)
            last = time_us
            body += bytes([channel | (delta_ms << 2)]) + struct.pack('<H', len(payload)) + payload
        open(os.path.join(corpus, '%s-%d-%d' % (session.replace('/', '_'), n, media_only)), 'wb').write(body)
PY
  echo "[fuzz] seeded $corpus with $(ls "$corpus" | wc -l) inputs" >&2
fi
[ "${1:-}" = "--no-run" ] && exit 0

seconds="${FUZZ_SECONDS:-30}"
for name in "${built[@]}"; do
  target="$out/$name"
  corpus="$out/${name%_fuzz}_corpus"
  mkdir -p "$corpus"
  echo "[fuzz] running $name for ${seconds}s" >&2
  (cd "$out" && "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 "$corpus")
done
