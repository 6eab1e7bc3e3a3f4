// Which build of the core an engine should load. native/build.sh makes two from the same
// sources: core.wasm with WebAssembly MVP features only (every TV engine back to Chromium 69)
// and core-simd.wasm with SIMD (Chromium 91+, Tizen 7.0+ TVs, Node), whose FEC rebuild runs
// 16 bytes at a time. Both behave identically; only the speed differs.

export const CORE_WASM_FILE = 'core.wasm';
export const CORE_SIMD_WASM_FILE = 'core-simd.wasm';

// The smallest module whose one function needs final-opcode SIMD: () -> v128 with
// i32.const 0, i8x16.splat, i8x16.popcnt. popcnt took its number last, so engines with an
// earlier draft of the proposal (Chromium 84-90 behind a flag) refuse it.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // functions: one of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, // code
]);

/** Whether the engine validates WebAssembly SIMD; `validate` is WebAssembly.validate unless a test says otherwise. */
export function engineHasWasmSimd(validate: (bytes: Uint8Array<ArrayBuffer>) => boolean = (bytes) => WebAssembly.validate(bytes)): boolean {
  try {
    return validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The file name of the core build for an engine with or without SIMD. */
export function coreWasmFileFor(hasSimd: boolean): string {
  return hasSimd ? CORE_SIMD_WASM_FILE : CORE_WASM_FILE;
}
