// The typed binding of core.wasm: the only TypeScript that touches core pointers and memory
// (style guide D.10). Area bindings beside this file (wasm/tls.ts, ...) build on CoreExports,
// never on the raw instance.
//
// Memory rule: any call into the core may grow its memory, which detaches every Uint8Array
// taken over the old buffer. So views are taken with `heap()` right before use and never kept
// across a core call; `copyOut` returns a copy that stays valid.
import { err, ok, type Result } from '../src/lib/result.ts';
import { loadCoreModule, type LoadedCore } from './load-core.ts';

export { CORE_ABI_VERSION } from './load-core.ts';

/** A core call returned a non-zero gsc_status; `name` is gsc_status_name() of it. */
export type CoreStatusError = { kind: 'core-status'; call: string; status: number; name: string };
export type CryptoError = CoreStatusError;

export interface RsaKeyPair {
  /** PKCS#1 RSAPrivateKey, DER. */
  privateKeyDer: Uint8Array;
  /** Big-endian, 256 bytes. */
  modulus: Uint8Array;
  /** Big-endian without leading zeros (01 00 01). */
  exponent: Uint8Array;
}

export interface Core {
  sha256(data: Uint8Array): Uint8Array;
  sha1(data: Uint8Array): Uint8Array;
  /** AES-128-ECB, no padding: key is 16 bytes, data a multiple of 16 bytes. */
  aes128EcbEncrypt(key: Uint8Array, data: Uint8Array): Result<Uint8Array, CryptoError>;
  aes128EcbDecrypt(key: Uint8Array, data: Uint8Array): Result<Uint8Array, CryptoError>;
  /** Deterministic in the seed (at least 32 bytes of caller-supplied entropy). */
  rsaGenerate2048(seed: Uint8Array): Result<RsaKeyPair, CryptoError>;
  /** RSASSA-PKCS1-v1_5 SHA-256; the key is PKCS#1 or unencrypted PKCS#8 DER. */
  rsaSignSha256(privateKeyDer: Uint8Array, message: Uint8Array): Result<Uint8Array, CryptoError>;
  /** True only for a valid signature under a usable public key. */
  rsaVerifySha256(modulus: Uint8Array, exponent: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  readonly exports: CoreExports;
}

/** A core function: every parameter and result is an i32 (pointers, sizes, statuses). */
export type CoreFunction = (...args: number[]) => number;

/**
 * Low-level access for the bindings in wasm/. Pointers are byte offsets into core memory.
 * Allocation failure means core memory is exhausted, which the app cannot recover from, so
 * alloc/copyIn throw instead of returning an error.
 */
export interface CoreExports {
  /** An exported function by name, or undefined if the module has none by that name. */
  fn(name: string): CoreFunction | undefined;
  /** Like fn(), for a function the binding cannot work without: throws if it is missing. */
  requireFn(name: string): CoreFunction;
  /** A view over all of core memory; valid until the next core call. */
  heap(): Uint8Array;
  /** Increments whenever core memory grows (every older view is then detached). */
  memoryGeneration(): number;
  /** gsc_alloc: sizeBytes of core memory (16-byte aligned); release with free(). */
  alloc(sizeBytes: number): number;
  /** gsc_free; 0 is ignored. */
  free(ptr: number): void;
  /** Allocates bytes.length bytes (at least one allocation even when empty) and copies bytes in. */
  copyIn(bytes: Uint8Array): number;
  /** A copy of sizeBytes bytes at ptr; stays valid whatever the core does next. */
  copyOut(ptr: number, sizeBytes: number): Uint8Array;
  readU32(ptr: number): number;
  writeU32(ptr: number, value: number): void;
  /** gsc_status_name(status). */
  statusName(status: number): string;
  /** Runs body with a scratch allocator whose blocks are all freed when body returns or throws. */
  scoped<T>(body: (scratch: Scratch) => T): T;
  /** Text the core wrote to stdout/stderr, for diagnostics. */
  diagnostics(): string;
}

export interface Scratch {
  alloc(sizeBytes: number): number;
  copyIn(bytes: Uint8Array): number;
}

export async function loadCore(wasmBytes: Uint8Array): Promise<Result<Core, { kind: 'load'; detail: string }>> {
  const loaded = await loadCoreModule(wasmBytes);
  if (!loaded.ok) return loaded;
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof loaded.value.exports[name] !== 'function');
  if (missing.length > 0) return err({ kind: 'load', detail: `core.wasm lacks exports: ${missing.join(', ')}` });
  const exports = createCoreExports(loaded.value);
  return ok(createCrypto(exports));
}

const REQUIRED_FUNCTIONS = [
  'gsc_status_name', 'gsc_alloc', 'gsc_free',
  'gsc_sha256', 'gsc_sha1', 'gsc_aes128_ecb_encrypt', 'gsc_aes128_ecb_decrypt',
  'gsc_rsa2048_generate', 'gsc_rsa_sign_sha256', 'gsc_rsa_verify_sha256',
] as const;

// Sizes from native/include/gsc_crypto.h.
const SHA256_SIZE = 32;
const SHA1_SIZE = 20;
const AES128_KEY_SIZE = 16;
const AES_BLOCK_SIZE = 16;
const RSA2048_MODULUS_SIZE = 256;
const RSA2048_PRIVATE_DER_MAX_SIZE = 1280;
const RSA_MAX_SIGNATURE_SIZE = 4096 / 8;
const GSC_OK = 0;
const GSC_ERR_BAD_LENGTH = -2;

function createCoreExports(loaded: LoadedCore): CoreExports {
  const fn = (name: string): CoreFunction | undefined => {
    const f = loaded.exports[name];
    return typeof f === 'function' ? (f as CoreFunction) : undefined;
  };
  const requireFn = (name: string): CoreFunction => {
    const f = fn(name);
    if (f === undefined) throw new Error(`core.wasm has no export ${name}`);
    return f;
  };
  const gscAlloc = requireFn('gsc_alloc');
  const gscFree = requireFn('gsc_free');
  const gscStatusName = requireFn('gsc_status_name');

  const heap = (): Uint8Array => new Uint8Array(loaded.memory.buffer);
  const alloc = (sizeBytes: number): number => {
    if (!Number.isInteger(sizeBytes) || sizeBytes < 0 || sizeBytes > 0xffffffff) throw new RangeError(`bad allocation size ${sizeBytes}`);
    const ptr = gscAlloc(sizeBytes) >>> 0;
    if (ptr === 0) throw new Error(`core memory exhausted allocating ${sizeBytes} bytes`);
    return ptr;
  };
  const copyIn = (bytes: Uint8Array): number => {
    const ptr = alloc(bytes.length);
    heap().set(bytes, ptr);
    return ptr;
  };
  const copyOut = (ptr: number, sizeBytes: number): Uint8Array => heap().slice(ptr, ptr + sizeBytes);
  const readCString = (ptr: number): string => {
    const h = heap();
    let end = ptr;
    while (end < h.length && h[end] !== 0) end++;
    return new TextDecoder('utf-8').decode(h.subarray(ptr, end));
  };

  return {
    fn,
    requireFn,
    heap,
    memoryGeneration: () => loaded.memoryGeneration(),
    alloc,
    free: (ptr) => {
      gscFree(ptr);
    },
    copyIn,
    copyOut,
    readU32: (ptr) => new DataView(loaded.memory.buffer).getUint32(ptr, true),
    writeU32: (ptr, value) => new DataView(loaded.memory.buffer).setUint32(ptr, value, true),
    statusName: (status) => readCString(gscStatusName(status) >>> 0),
    scoped: (body) => {
      const blocks: number[] = [];
      const track = (ptr: number): number => {
        blocks.push(ptr);
        return ptr;
      };
      try {
        return body({ alloc: (size) => track(alloc(size)), copyIn: (bytes) => track(copyIn(bytes)) });
      } finally {
        for (const ptr of blocks) gscFree(ptr);
      }
    },
    diagnostics: () => loaded.diagnostics(),
  };
}

function createCrypto(x: CoreExports): Core {
  const f = {
    sha256: x.requireFn('gsc_sha256'),
    sha1: x.requireFn('gsc_sha1'),
    aesEncrypt: x.requireFn('gsc_aes128_ecb_encrypt'),
    aesDecrypt: x.requireFn('gsc_aes128_ecb_decrypt'),
    generate: x.requireFn('gsc_rsa2048_generate'),
    sign: x.requireFn('gsc_rsa_sign_sha256'),
    verify: x.requireFn('gsc_rsa_verify_sha256'),
  };
  const failure = (call: string, status: number): { ok: false; error: CryptoError } =>
    err({ kind: 'core-status', call, status, name: x.statusName(status) });

  // Only argument errors are possible here, and the binding never passes bad arguments.
  const hash = (call: string, run: CoreFunction, digestSize: number, data: Uint8Array): Uint8Array =>
    x.scoped((s) => {
      const out = s.alloc(digestSize);
      const status = run(s.copyIn(data), data.length, out);
      if (status !== GSC_OK) throw new Error(`${call} failed: ${x.statusName(status)}`);
      return x.copyOut(out, digestSize);
    });

  const aes = (call: string, run: CoreFunction, key: Uint8Array, data: Uint8Array): Result<Uint8Array, CryptoError> => {
    if (key.length !== AES128_KEY_SIZE || data.length % AES_BLOCK_SIZE !== 0) return failure(call, GSC_ERR_BAD_LENGTH);
    return x.scoped((s) => {
      const io = s.copyIn(data);
      const status = run(s.copyIn(key), io, data.length, io);
      return status === GSC_OK ? ok(x.copyOut(io, data.length)) : failure(call, status);
    });
  };

  return {
    sha256: (data) => hash('sha256', f.sha256, SHA256_SIZE, data),
    sha1: (data) => hash('sha1', f.sha1, SHA1_SIZE, data),
    aes128EcbEncrypt: (key, data) => aes('aes128EcbEncrypt', f.aesEncrypt, key, data),
    aes128EcbDecrypt: (key, data) => aes('aes128EcbDecrypt', f.aesDecrypt, key, data),
    rsaGenerate2048: (seed) =>
      x.scoped((s) => {
        const der = s.alloc(RSA2048_PRIVATE_DER_MAX_SIZE);
        const derSize = s.alloc(4);
        const modulus = s.alloc(RSA2048_MODULUS_SIZE);
        const exponent = s.alloc(4);
        const status = f.generate(s.copyIn(seed), seed.length, der, RSA2048_PRIVATE_DER_MAX_SIZE, derSize, modulus, exponent);
        if (status !== GSC_OK) return failure('rsaGenerate2048', status);
        return ok({
          privateKeyDer: x.copyOut(der, x.readU32(derSize)),
          modulus: x.copyOut(modulus, RSA2048_MODULUS_SIZE),
          exponent: minimalBigEndian(x.readU32(exponent)),
        });
      }),
    rsaSignSha256: (privateKeyDer, message) =>
      x.scoped((s) => {
        const signature = s.alloc(RSA_MAX_SIGNATURE_SIZE);
        const signatureSize = s.alloc(4);
        const status = f.sign(
          s.copyIn(privateKeyDer), privateKeyDer.length, s.copyIn(message), message.length,
          signature, RSA_MAX_SIGNATURE_SIZE, signatureSize,
        );
        if (status !== GSC_OK) return failure('rsaSignSha256', status);
        return ok(x.copyOut(signature, x.readU32(signatureSize)));
      }),
    rsaVerifySha256: (modulus, exponent, message, signature) =>
      x.scoped((s) => {
        const status = f.verify(
          s.copyIn(modulus), modulus.length, s.copyIn(exponent), exponent.length,
          s.copyIn(message), message.length, s.copyIn(signature), signature.length,
        );
        return status === GSC_OK;
      }),
    exports: x,
  };
}

function minimalBigEndian(value: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = value >>> 0; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from(bytes);
}
