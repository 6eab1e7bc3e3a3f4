// AES-128-GCM from the core (native/include/gsc_crypto_gcm.h) for the TypeScript side of the
// protocol: encrypted RTSP (control-plane.md §6.1). The interface is also what the host
// simulator implements with node:crypto, so both ends are written against one contract.
import { err, ok, type Result } from '../src/lib/result.ts';
import type { Core, CoreStatusError } from './core.ts';

export type GcmOpenError =
  /** The tag did not match: wrong key, wrong nonce, or altered bytes. */
  | { kind: 'auth-failed' }
  | CoreStatusError;

export interface SealedBox {
  ciphertext: Uint8Array;
  /** AES_GCM_TAG_SIZE bytes. */
  tag: Uint8Array;
}

export interface Aes128Gcm {
  /** key: 16 bytes; nonce: 1..128 bytes (12 in every GameStream use), never reused with a key. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Result<SealedBox, CoreStatusError>;
  /** The plaintext only when the tag authenticates nonce, aad and ciphertext under key. */
  open(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, aad?: Uint8Array): Result<Uint8Array, GcmOpenError>;
}

// Sizes and codes from native/include/gsc_crypto_gcm.h and gsc_core.h.
export const AES_GCM_KEY_SIZE = 16;
export const AES_GCM_NONCE_SIZE = 12;
export const AES_GCM_TAG_SIZE = 16;
const AES_GCM_NONCE_MAX_SIZE = 128;
const GSC_OK = 0;
const GSC_ERR_BAD_LENGTH = -2;
const GSC_ERR_CRYPTO_GCM_AUTH_FAILED = -110;

export function createAes128Gcm(core: Core): Aes128Gcm {
  const x = core.exports;
  const encrypt = x.requireFn('gsc_aes128_gcm_encrypt');
  const decrypt = x.requireFn('gsc_aes128_gcm_decrypt');
  const failure = (call: string, status: number): { ok: false; error: CoreStatusError } =>
    err({ kind: 'core-status', call, status, name: x.statusName(status) });
  // Checked here as well as in the core so that a wrong length never reaches a pointer.
  const badLengths = (key: Uint8Array, nonce: Uint8Array): boolean =>
    key.length !== AES_GCM_KEY_SIZE || nonce.length === 0 || nonce.length > AES_GCM_NONCE_MAX_SIZE;

  return {
    seal(key, nonce, plaintext, aad = EMPTY) {
      if (badLengths(key, nonce)) return failure('aes128GcmSeal', GSC_ERR_BAD_LENGTH);
      return x.scoped((s) => {
        const io = s.copyIn(plaintext);
        const tag = s.alloc(AES_GCM_TAG_SIZE);
        const status = encrypt(s.copyIn(key), s.copyIn(nonce), nonce.length, s.copyIn(aad), aad.length, io, plaintext.length, io, tag);
        if (status !== GSC_OK) return failure('aes128GcmSeal', status);
        return ok({ ciphertext: x.copyOut(io, plaintext.length), tag: x.copyOut(tag, AES_GCM_TAG_SIZE) });
      });
    },
    open(key, nonce, ciphertext, tag, aad = EMPTY) {
      if (badLengths(key, nonce) || tag.length !== AES_GCM_TAG_SIZE) return failure('aes128GcmOpen', GSC_ERR_BAD_LENGTH);
      return x.scoped((s) => {
        const io = s.copyIn(ciphertext);
        const status = decrypt(s.copyIn(key), s.copyIn(nonce), nonce.length, s.copyIn(aad), aad.length, io, ciphertext.length, s.copyIn(tag), io);
        if (status === GSC_ERR_CRYPTO_GCM_AUTH_FAILED) return err({ kind: 'auth-failed' as const });
        if (status !== GSC_OK) return failure('aes128GcmOpen', status);
        return ok(x.copyOut(io, ciphertext.length));
      });
    },
  };
}

const EMPTY = new Uint8Array(0);
