// The encrypted control stream's envelope (data-plane.md §4.2, §4.3), as Sunshine reads and
// writes it: every ENet packet is LE16 0x0001, LE16 length L, LE32 sequence number, a 16-byte
// AES-128-GCM tag, then the ciphertext of a V2 message (LE16 type, LE16 payload length,
// payload). The key is the launch's rikey, there is no associated data, and the 12-byte nonce
// is the sequence number (LE32), six zero bytes, the sender's letter ('C' client, 'H' host)
// and 'C' for "control". Each direction counts its own sequence numbers from 0. A client that
// did not enable "control v2" (SS_ENC bit 0x01) gets GFE's older nonce instead: 16 bytes, the
// low byte of the sequence number first, the rest zero.

import { createCipheriv, createDecipheriv } from 'node:crypto';

export type ControlSender = 'client' | 'host';
export type ControlNonceStyle = 'v2' | 'legacy';

/** A control message as its V2 header frames it: type and payload. */
export interface ControlFrame {
  type: number;
  payload: Uint8Array;
}

export type EnvelopeOpenResult =
  | { kind: 'opened'; sequence: number; frame: ControlFrame }
  /** Not an envelope: a plain message, which an encrypted stream drops. */
  | { kind: 'not-envelope'; type: number }
  /** L below 24 bytes, so less than a V2 header inside: Sunshine ignores such a packet ("runt"). */
  | { kind: 'runt' }
  /** Shorter than its header or its own L says; Sunshine would read past the packet. */
  | { kind: 'truncated' }
  /** The tag did not verify: Sunshine stops the session. */
  | { kind: 'auth-failed'; sequence: number };

export const CONTROL_ENVELOPE_TYPE = 0x0001;
/** Envelope header before the ciphertext: marker, L, sequence number, tag. */
export const CONTROL_ENVELOPE_OVERHEAD_BYTES = 24;

export function controlNonce(sequence: number, sender: ControlSender, style: ControlNonceStyle = 'v2'): Uint8Array {
  if (style === 'legacy') return Uint8Array.of(sequence & 0xff, ...new Uint8Array(LEGACY_NONCE_BYTES - 1));
  const nonce = new Uint8Array(NONCE_BYTES);
  new DataView(nonce.buffer).setUint32(0, sequence >>> 0, true);
  nonce[10] = sender === 'client' ? LETTER_CLIENT : LETTER_HOST;
  nonce[11] = LETTER_CONTROL;
  return nonce;
}

/** The V2 framing of one message: LE16 type, LE16 payload length, payload. */
export function encodeV2(frame: ControlFrame): Uint8Array {
  const out = new Uint8Array(V2_HEADER_BYTES + frame.payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, frame.type, true);
  view.setUint16(2, frame.payload.length, true);
  out.set(frame.payload, V2_HEADER_BYTES);
  return out;
}

export function sealControlEnvelope(key: Uint8Array, sequence: number, sender: ControlSender, frame: ControlFrame, style: ControlNonceStyle = 'v2'): Uint8Array {
  const plaintext = encodeV2(frame);
  const cipher = createCipheriv('aes-128-gcm', key, controlNonce(sequence, sender, style));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const out = new Uint8Array(CONTROL_ENVELOPE_OVERHEAD_BYTES + ciphertext.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, CONTROL_ENVELOPE_TYPE, true);
  view.setUint16(2, out.length - 4, true);
  view.setUint32(4, sequence >>> 0, true);
  out.set(cipher.getAuthTag(), 8);
  out.set(ciphertext, CONTROL_ENVELOPE_OVERHEAD_BYTES);
  return out;
}

/**
 * Opens one ENet packet of an encrypted control stream sent by `sender`. Like Sunshine it takes
 * the message type from the plaintext's first two bytes and the payload as everything after
 * the 4-byte V2 header, whatever the V2 length field says, and it ignores bytes after L.
 */
export function openControlEnvelope(key: Uint8Array, sender: ControlSender, packet: Uint8Array, style: ControlNonceStyle = 'v2'): EnvelopeOpenResult {
  if (packet.length < 2) return { kind: 'truncated' };
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const type = view.getUint16(0, true);
  if (type !== CONTROL_ENVELOPE_TYPE) return { kind: 'not-envelope', type };
  if (packet.length < 8) return { kind: 'truncated' };
  const length = view.getUint16(2, true);
  const sequence = view.getUint32(4, true);
  if (length < CONTROL_ENVELOPE_OVERHEAD_BYTES) return { kind: 'runt' };
  if (packet.length < 4 + length) return { kind: 'truncated' };
  const tag = packet.subarray(8, 24);
  const ciphertext = packet.subarray(CONTROL_ENVELOPE_OVERHEAD_BYTES, 4 + length);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-128-gcm', key, controlNonce(sequence, sender, style));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return { kind: 'auth-failed', sequence };
  }
  return { kind: 'opened', sequence, frame: { type: plaintext.readUInt16LE(0), payload: new Uint8Array(plaintext.subarray(V2_HEADER_BYTES)) } };
}

/** The unencrypted "V1" framing of older hosts (§4.2): LE16 type, then the payload. */
export function parseV1(packet: Uint8Array): ControlFrame | null {
  if (packet.length < 2) return null;
  return { type: new DataView(packet.buffer, packet.byteOffset, 2).getUint16(0, true), payload: packet.slice(2) };
}

export function encodeV1(frame: ControlFrame): Uint8Array {
  const out = new Uint8Array(2 + frame.payload.length);
  new DataView(out.buffer).setUint16(0, frame.type, true);
  out.set(frame.payload, 2);
  return out;
}

const NONCE_BYTES = 12;
const LEGACY_NONCE_BYTES = 16;
const V2_HEADER_BYTES = 4;
const LETTER_CLIENT = 0x43;
const LETTER_HOST = 0x48;
const LETTER_CONTROL = 0x43;
