// Sunshine's encrypted video datagrams (shared/protocol/data-plane.md §2.9): each finished
// packet (after FEC) is sealed with AES-128-GCM under the launch `rikey`, no associated data,
// behind a 32-byte prefix: the 12-byte nonce, the frame number as an unauthenticated hint,
// and the tag. The nonce is a per-session packet counter, as Sunshine forms it, so the
// simulator's datagrams equal recorded ones byte for byte.

import { createCipheriv } from 'node:crypto';

export interface VideoEncryptor {
  /** Seals one plaintext video packet; advances the nonce counter by one. */
  seal(packet: Uint8Array): Uint8Array;
}

/** A session's encryptor; the counter starts at `firstCounter` (Sunshine: 0). */
export function createVideoEncryptor(key: Uint8Array, firstCounter = 0): VideoEncryptor {
  if (key.length !== AES_128_KEY_BYTES) throw new RangeError(`video encryption: key of ${key.length} bytes`);
  if (!Number.isSafeInteger(firstCounter) || firstCounter < 0) throw new RangeError(`video encryption: counter ${firstCounter}`);
  // A double counts exactly to 2^53 packets, centuries of streaming: no 64-bit arithmetic needed.
  let counter = firstCounter;
  return {
    seal(packet) {
      const nonce = new Uint8Array(NONCE_BYTES);
      const view = new DataView(nonce.buffer);
      view.setUint32(0, counter % 2 ** 32, true);
      view.setUint32(4, Math.floor(counter / 2 ** 32), true);
      nonce[NONCE_BYTES - 1] = NONCE_VIDEO_MARK;
      counter += 1;
      const cipher = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(packet), cipher.final()]);
      const out = new Uint8Array(PREFIX_BYTES + ciphertext.length);
      out.set(nonce, 0);
      // The frame number hint copies the packet's own frameIndex (NV header bytes 20-23).
      out.set(packet.subarray(FRAME_INDEX_OFFSET, FRAME_INDEX_OFFSET + 4), NONCE_BYTES);
      out.set(cipher.getAuthTag(), NONCE_BYTES + 4);
      out.set(ciphertext, PREFIX_BYTES);
      return out;
    },
  };
}

/** Bytes the encryption adds in front of each packet (§2.9). */
export const VIDEO_ENCRYPTION_PREFIX_BYTES = 32;

const AES_128_KEY_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX_BYTES = VIDEO_ENCRYPTION_PREFIX_BYTES;
// Byte 11 of Sunshine's video nonce is 'V' (§2.9).
const NONCE_VIDEO_MARK = 0x56;
const FRAME_INDEX_OFFSET = 20;
