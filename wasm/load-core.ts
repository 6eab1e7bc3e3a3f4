// Instantiates core.wasm from bytes the caller supplies (platform code reads or fetches the
// file), with imports written here instead of Emscripten's generated JS, so the same code runs
// in Node, a browser window and a Web Worker, on engines back to Chromium 69: it needs only
// WebAssembly.compile/instantiate, typed arrays and TextDecoder (no BigInt, no Node APIs).
//
// The module is built standalone (native/cmake/wasm.cmake) and may import only what is listed
// in IMPORTS below. The core reads no clock and draws no randomness (design.md, principle 2),
// so WASI's clock and random functions are deliberately absent: a module importing them fails
// to load with a message naming the import.
import { err, ok, type Result } from '../src/lib/result.ts';

/** The C ABI version this binding is written for: GSC_ABI_VERSION in native/include/gsc_core.h. */
export const CORE_ABI_VERSION = 1;

export type LoadError = { kind: 'load'; detail: string };

export interface LoadedCore {
  readonly instance: WebAssembly.Instance;
  readonly memory: WebAssembly.Memory;
  /** The module's exports, unchecked; wasm/core.ts turns them into typed functions. */
  readonly exports: WebAssembly.Exports;
  /** Text the module wrote to stdout/stderr (for diagnostics only), oldest first, bounded. */
  diagnostics(): string;
  /** Counts memory growths; a view taken while the count was lower may be detached. */
  memoryGeneration(): number;
}

/** Thrown when the module calls exit(): the core never exits, so this is a bug. */
export class CoreExitError extends Error {
  constructor(readonly code: number) {
    super(`core.wasm called proc_exit(${code})`);
    this.name = 'CoreExitError';
  }
}

export async function loadCoreModule(wasmBytes: Uint8Array): Promise<Result<LoadedCore, LoadError>> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(asBufferSource(wasmBytes));
  } catch (e) {
    return err({ kind: 'load', detail: `core.wasm does not compile: ${describe(e)}` });
  }
  const unknown = WebAssembly.Module.imports(module).filter((i) => !isProvided(i));
  if (unknown.length > 0) {
    const names = unknown.map((i) => `${i.module}.${i.name} (${i.kind})`).join(', ');
    return err({ kind: 'load', detail: `core.wasm needs imports this loader does not provide: ${names}` });
  }

  const host = createHost();
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, host.imports);
  } catch (e) {
    return err({ kind: 'load', detail: `core.wasm does not instantiate: ${describe(e)}` });
  }
  const memory = instance.exports['memory'];
  if (!(memory instanceof WebAssembly.Memory)) return err({ kind: 'load', detail: 'core.wasm exports no memory' });
  host.attach(memory);

  const initialize = instance.exports['_initialize'];
  if (typeof initialize === 'function') {
    try {
      initialize();
    } catch (e) {
      return err({ kind: 'load', detail: `core.wasm _initialize failed: ${describe(e)}` });
    }
  }
  const abiVersion = instance.exports['gsc_abi_version'];
  if (typeof abiVersion !== 'function') return err({ kind: 'load', detail: 'core.wasm exports no gsc_abi_version' });
  const version: unknown = abiVersion();
  if (version !== CORE_ABI_VERSION) {
    return err({ kind: 'load', detail: `core.wasm has ABI version ${String(version)}, this binding needs ${CORE_ABI_VERSION}` });
  }
  return ok({
    instance,
    memory,
    exports: instance.exports,
    diagnostics: () => host.diagnostics(),
    memoryGeneration: () => host.memoryGeneration(),
  });
}

// WASI errno values (wasi_snapshot_preview1).
const WASI_ESUCCESS = 0;
const WASI_EBADF = 8;
const STDOUT_FD = 1;
const STDERR_FD = 2;
// Diagnostics are for a person reading a log; older text is dropped past this size.
const MAX_DIAGNOSTICS_CHARS = 16 * 1024;

const IMPORTS: Record<string, readonly string[]> = {
  env: ['emscripten_notify_memory_growth'],
  wasi_snapshot_preview1: ['fd_write', 'fd_close', 'fd_seek', 'proc_exit', 'environ_sizes_get', 'environ_get'],
};

function isProvided(i: WebAssembly.ModuleImportDescriptor): boolean {
  return i.kind === 'function' && (IMPORTS[i.module] ?? []).includes(i.name);
}

interface Host {
  imports: WebAssembly.Imports;
  attach(memory: WebAssembly.Memory): void;
  diagnostics(): string;
  memoryGeneration(): number;
}

function createHost(): Host {
  let memory: WebAssembly.Memory | undefined;
  let text = '';
  let generation = 0;
  const decoder = new TextDecoder('utf-8');

  const bytes = (): Uint8Array => {
    if (memory === undefined) throw new Error('core.wasm called an import before its memory was attached');
    return new Uint8Array(memory.buffer);
  };
  const view = (): DataView => new DataView(bytes().buffer);

  // fd_write(fd, iovs, iovs_len, nwritten_ptr): gathers the iovecs ({ ptr: u32, len: u32 }).
  const fdWrite = (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number => {
    if (fd !== STDOUT_FD && fd !== STDERR_FD) return WASI_EBADF;
    const dv = view();
    let written = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = dv.getUint32(iovs + i * 8, true);
      const len = dv.getUint32(iovs + i * 8 + 4, true);
      text += decoder.decode(bytes().subarray(ptr, ptr + len));
      written += len;
    }
    if (text.length > MAX_DIAGNOSTICS_CHARS) text = text.slice(text.length - MAX_DIAGNOSTICS_CHARS);
    dv.setUint32(nwrittenPtr, written, true);
    return WASI_ESUCCESS;
  };

  const imports: WebAssembly.Imports = {
    env: {
      emscripten_notify_memory_growth: () => {
        generation++;
      },
    },
    wasi_snapshot_preview1: {
      fd_write: fdWrite,
      fd_close: () => WASI_EBADF,
      fd_seek: () => WASI_EBADF,
      proc_exit: (code: number) => {
        throw new CoreExitError(code);
      },
      // The core has no environment: zero variables, zero bytes.
      environ_sizes_get: (countPtr: number, sizePtr: number) => {
        const dv = view();
        dv.setUint32(countPtr, 0, true);
        dv.setUint32(sizePtr, 0, true);
        return WASI_ESUCCESS;
      },
      environ_get: () => WASI_ESUCCESS,
    },
  };
  return {
    imports,
    attach: (m) => {
      memory = m;
    },
    diagnostics: () => text,
    memoryGeneration: () => generation,
  };
}

// WebAssembly.compile takes bytes over an ArrayBuffer; bytes over a SharedArrayBuffer (or
// from another realm) are copied first.
function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
