import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_ABI_VERSION, loadCoreModule } from '../../../wasm/load-core.ts';
import { assemble, op, type TinyFunction } from './tiny-module.ts';

const abiVersion = (version: number): TinyFunction => ({ params: 0, results: 1, body: op.i32Const(version), exportAs: 'gsc_abi_version' });

async function loadError(bytes: Uint8Array): Promise<string> {
  const r = await loadCoreModule(bytes);
  assert.equal(r.ok, false, 'the module was expected to be refused');
  return r.ok ? '' : r.error.detail;
}

test('a module with the expected ABI version and a memory loads', async () => {
  const r = await loadCoreModule(assemble({ functions: [abiVersion(CORE_ABI_VERSION)], memoryPages: 1, exportMemory: true }));
  assert.equal(r.ok, true);
});

test('bytes that are not WebAssembly are refused as a compile failure', async () => {
  assert.match(await loadError(Uint8Array.from([0x3c, 0x68, 0x74, 0x6d, 0x6c, 0x3e])), /does not compile/);
});

test('a module built for another ABI version is refused, naming both versions', async () => {
  const detail = await loadError(assemble({ functions: [abiVersion(CORE_ABI_VERSION + 1)], memoryPages: 1, exportMemory: true }));
  assert.match(detail, new RegExp(`ABI version ${CORE_ABI_VERSION + 1}, this binding needs ${CORE_ABI_VERSION}`));
});

test('a module without gsc_abi_version or without memory is refused', async () => {
  assert.match(await loadError(assemble({ functions: [], memoryPages: 1, exportMemory: true })), /no gsc_abi_version/);
  assert.match(await loadError(assemble({ functions: [abiVersion(CORE_ABI_VERSION)] })), /exports no memory/);
});

test('a module importing the clock or randomness is refused, naming the imports', async () => {
  const detail = await loadError(assemble({
    imports: [
      { module: 'wasi_snapshot_preview1', name: 'clock_time_get', params: 3, results: 1 },
      { module: 'wasi_snapshot_preview1', name: 'random_get', params: 2, results: 1 },
    ],
    functions: [abiVersion(CORE_ABI_VERSION)], memoryPages: 1, exportMemory: true,
  }));
  assert.match(detail, /wasi_snapshot_preview1\.clock_time_get \(function\), wasi_snapshot_preview1\.random_get/);
});

test('a module calling exit while initialising is refused with the exit code', async () => {
  const detail = await loadError(assemble({
    imports: [{ module: 'wasi_snapshot_preview1', name: 'proc_exit', params: 1, results: 0 }],
    functions: [{ params: 0, results: 0, body: [...op.i32Const(3), ...op.call(0)], exportAs: '_initialize' }, abiVersion(CORE_ABI_VERSION)],
    memoryPages: 1, exportMemory: true,
  }));
  assert.match(detail, /_initialize failed: core.wasm called proc_exit\(3\)/);
});

test('text the module writes to stderr while initialising is kept as diagnostics', async () => {
  // iovec { ptr 16, len 5 } at 0, "hello" at 16; fd_write(2, iovs=0, 1, nwritten=8).
  const iovec = Uint8Array.from([16, 0, 0, 0, 5, 0, 0, 0]);
  const r = await loadCoreModule(assemble({
    imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_write', params: 4, results: 1 }],
    functions: [
      { params: 0, results: 0, body: [...op.i32Const(2), ...op.i32Const(0), ...op.i32Const(1), ...op.i32Const(8), ...op.call(0), ...op.drop], exportAs: '_initialize' },
      abiVersion(CORE_ABI_VERSION),
    ],
    memoryPages: 1, exportMemory: true,
    data: [{ offset: 0, bytes: iovec }, { offset: 16, bytes: new TextEncoder().encode('hello') }],
  }));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.value.diagnostics(), 'hello');
  assert.equal(new DataView(r.value.memory.buffer).getUint32(8, true), 5);
});
