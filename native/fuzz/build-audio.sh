#!/usr/bin/env bash
# Builds the audio receiver's libFuzzer target into build/fuzz/audio_fuzz, with clang's
# libFuzzer, AddressSanitizer and UBSan on our code. libopus and BearSSL are linked from the
# native build (build/native, made first when needed); they are third-party C and are not
# instrumented.
# Run: build/fuzz/audio_fuzz -max_total_time=30 build/fuzz/audio-corpus
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$root/native/build.sh" native >/dev/null
out="$root/build/fuzz"
mkdir -p "$out" "$out/audio-corpus"
opus_inc=$(ls -d "$root"/.deps/src/opus-*/include | head -1)
bearssl_inc=$(ls -d "$root"/.deps/src/bearssl-*/inc | head -1)
clang++ -std=c++17 -O1 -g -fno-exceptions -fno-rtti -Wall -Wextra -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I "$root/native/src" -I "$root/native/include" -isystem "$opus_inc" -isystem "$bearssl_inc" \
  "$root/native/fuzz/audio_fuzz.cpp" "$root"/native/src/audio_*.cpp "$root/native/src/reed_solomon.cpp" \
  "$root/build/native/libgsc_opus.a" "$root/build/native/libgsc_bearssl.a" -lm \
  -o "$out/audio_fuzz"
echo "built $out/audio_fuzz"
