// Sunshine's audio payload encryption (shared/protocol/data-plane.md §3.4): AES-128-CBC under
// the launch `rikey` with PKCS#7 padding, and a fresh IV per packet made from the launch
// `rikeyid` plus the packet's RTP sequence number, so no IV travels with the packet.

import { createCipheriv } from 'node:crypto';

/** The ciphertext that replaces an Opus packet in the RTP payload of packet `sequence`. */
export function encryptAudioPayload(key: Uint8Array, rikeyid: number, sequence: number, opus: Uint8Array): Uint8Array {
  if (key.length !== AES_128_KEY_BYTES) throw new RangeError(`audio encryption: key of ${key.length} bytes`);
  const cipher = createCipheriv('aes-128-cbc', key, audioIv(rikeyid, sequence));
  return new Uint8Array(Buffer.concat([cipher.update(opus), cipher.final()]));
}

/** BE32(rikeyid + sequence, wrapping at 2^32) followed by 12 zero bytes (§3.4). */
export function audioIv(rikeyid: number, sequence: number): Uint8Array {
  const iv = new Uint8Array(AES_BLOCK_BYTES);
  new DataView(iv.buffer).setUint32(0, (rikeyid + sequence) >>> 0, false);
  return iv;
}

const AES_128_KEY_BYTES = 16;
const AES_BLOCK_BYTES = 16;
