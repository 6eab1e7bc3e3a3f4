// Encrypted RTSP framing (control-plane.md §6.1), used when sessionUrl0 says `rtspenc://`.
// Every message, request or reply, travels as one frame:
//
//   offset 0   BE32  0x80000000 | plaintext length   (top bit: "encrypted")
//   offset 4   BE32  sequence number                 (sender's own counter, from 1)
//   offset 8   16    AES-GCM tag
//   offset 24  n     AES-128-GCM ciphertext of the whole plaintext message
//
// Key = the launch's rikey, no additional data; nonce = LE32 sequence ‖ 6 zero bytes ‖ the
// sender's direction letter ('C' client, 'H' host) ‖ 'R'. The direction letter keeps a reply
// from being reflected back as a request and vice versa.

import type { Aes128Gcm } from '../../wasm/gcm.ts';
import { AES_GCM_NONCE_SIZE, AES_GCM_TAG_SIZE } from '../../wasm/gcm.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { MAX_RTSP_MESSAGE_BYTES } from './rtsp-message.ts';

export type RtspSender = 'client' | 'host';

export type RtspFrameError =
  | { kind: 'not-encrypted' } // the top bit is clear: a plaintext message where a frame was due
  | { kind: 'too-long'; lengthBytes: number }
  | { kind: 'truncated'; haveBytes: number; wantBytes: number }
  | { kind: 'trailing-bytes'; extraBytes: number }
  | { kind: 'auth-failed'; sequence: number }
  | { kind: 'crypto'; detail: string };

export interface RtspFrame {
  sequence: number;
  plaintext: Uint8Array;
}

export const RTSP_FRAME_HEADER_BYTES = 24;

export function rtspNonce(sequence: number, sender: RtspSender): Uint8Array {
  const nonce = new Uint8Array(AES_GCM_NONCE_SIZE);
  new DataView(nonce.buffer).setUint32(0, sequence >>> 0, true);
  nonce[10] = sender === 'client' ? LETTER_C : LETTER_H;
  nonce[11] = LETTER_R;
  return nonce;
}

export function sealRtspFrame(gcm: Aes128Gcm, key: Uint8Array, sequence: number, sender: RtspSender, plaintext: Uint8Array): Result<Uint8Array, RtspFrameError> {
  if (plaintext.length > MAX_RTSP_MESSAGE_BYTES) return err({ kind: 'too-long', lengthBytes: plaintext.length });
  const sealed = gcm.seal(key, rtspNonce(sequence, sender), plaintext);
  if (!sealed.ok) return err({ kind: 'crypto', detail: sealed.error.name });
  const frame = new Uint8Array(RTSP_FRAME_HEADER_BYTES + plaintext.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, (ENCRYPTED_BIT | plaintext.length) >>> 0, false);
  view.setUint32(4, sequence >>> 0, false);
  frame.set(sealed.value.tag, 8);
  frame.set(sealed.value.ciphertext, RTSP_FRAME_HEADER_BYTES);
  return ok(frame);
}

/** Opens exactly one whole frame (no bytes before or after it) sent by `sender`. */
export function openRtspFrame(gcm: Aes128Gcm, key: Uint8Array, sender: RtspSender, frame: Uint8Array): Result<RtspFrame, RtspFrameError> {
  const size = frameSize(frame);
  if (!size.ok) return size;
  if (size.value === null || frame.length < size.value) {
    return err({ kind: 'truncated', haveBytes: frame.length, wantBytes: size.value ?? RTSP_FRAME_HEADER_BYTES });
  }
  if (frame.length > size.value) return err({ kind: 'trailing-bytes', extraBytes: frame.length - size.value });
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const sequence = view.getUint32(4, false);
  const tag = frame.subarray(8, 8 + AES_GCM_TAG_SIZE);
  const opened = gcm.open(key, rtspNonce(sequence, sender), frame.subarray(RTSP_FRAME_HEADER_BYTES), tag);
  if (!opened.ok) return err(opened.error.kind === 'auth-failed' ? { kind: 'auth-failed', sequence } : { kind: 'crypto', detail: opened.error.name });
  return ok({ sequence, plaintext: opened.value });
}

/**
 * Collects one frame from a byte stream. push() answers the frame's bytes once they are all
 * there; it refuses a plaintext start, an over-long length and any byte past the frame.
 */
export interface RtspFrameReader {
  push(chunk: Uint8Array): Result<Uint8Array | null, RtspFrameError>;
  /** The stream ended before the frame was whole. */
  end(): RtspFrameError;
}

export function createRtspFrameReader(): RtspFrameReader {
  // The first word gives the frame's size, so the frame is held in one buffer of that size.
  const prefix = new Uint8Array(4);
  let prefixUsed = 0;
  let frame: Uint8Array | null = null;
  let used = 0;
  return {
    push(chunk) {
      let at = 0;
      if (frame === null) {
        const take = Math.min(4 - prefixUsed, chunk.length);
        prefix.set(chunk.subarray(0, take), prefixUsed);
        prefixUsed += take;
        at = take;
        const size = frameSize(prefix.subarray(0, prefixUsed));
        if (!size.ok) return size;
        if (size.value === null) return ok(null);
        frame = new Uint8Array(size.value);
        frame.set(prefix);
        used = 4;
      }
      const rest = chunk.length - at;
      if (used + rest > frame.length) return err({ kind: 'trailing-bytes', extraBytes: used + rest - frame.length });
      frame.set(chunk.subarray(at), used);
      used += rest;
      return used === frame.length ? ok(frame) : ok(null);
    },
    end() {
      return { kind: 'truncated', haveBytes: frame === null ? prefixUsed : used, wantBytes: frame === null ? RTSP_FRAME_HEADER_BYTES : frame.length };
    },
  };
}

/** The whole frame's size from its first word; null until those 4 bytes are there. */
function frameSize(bytes: Uint8Array): Result<number | null, RtspFrameError> {
  if (bytes.length < 4) return ok(null);
  const word = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  if ((word & ENCRYPTED_BIT) === 0) return err({ kind: 'not-encrypted' });
  const length = word & LENGTH_MASK;
  if (length > MAX_RTSP_MESSAGE_BYTES) return err({ kind: 'too-long', lengthBytes: length });
  return ok(RTSP_FRAME_HEADER_BYTES + length);
}

const ENCRYPTED_BIT = 0x80000000;
const LENGTH_MASK = 0x7fffffff;
const LETTER_C = 0x43;
const LETTER_H = 0x48;
const LETTER_R = 0x52;
