// Which core build an engine loads: SIMD where the engine validates final-opcode SIMD, the MVP
// build elsewhere (older TVs), and never a throw from a strange engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWasmFileFor, engineHasWasmSimd } from '../../../wasm/core-file.ts';

test('an engine that validates the SIMD probe gets core-simd.wasm, one that refuses it core.wasm', () => {
  assert.equal(coreWasmFileFor(engineHasWasmSimd(() => true)), 'core-simd.wasm');
  assert.equal(coreWasmFileFor(engineHasWasmSimd(() => false)), 'core.wasm');
  assert.equal(coreWasmFileFor(engineHasWasmSimd(() => { throw new Error('no WebAssembly.validate'); })), 'core.wasm');
});

test('the probe is a module that uses a SIMD instruction: this engine (Node 20) accepts it, with SIMD off it would not', () => {
  let probe: Uint8Array<ArrayBuffer> | null = null;
  assert.equal(engineHasWasmSimd((bytes) => {
    probe = bytes;
    return WebAssembly.validate(bytes);
  }), true);
  assert.ok(probe !== null);
  const bytes: Uint8Array<ArrayBuffer> = probe;
  // The 0xFD prefix marks SIMD opcodes; without it the body is an ordinary MVP body.
  assert.ok(bytes.includes(0xfd));
  const withoutSimdOpcode = bytes.slice();
  withoutSimdOpcode[withoutSimdOpcode.length - 2] = 0x63; // an opcode number SIMD does not define
  assert.equal(WebAssembly.validate(withoutSimdOpcode), false);
});
