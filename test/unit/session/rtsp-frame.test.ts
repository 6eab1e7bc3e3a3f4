// Encrypted RTSP framing (src/session/rtsp-frame.ts): the nonce layout, a known frame from a
// real session, what a frame reader refuses, and one frame read whole, byte by byte and split
// at every offset. Needs build/wasm/core.wasm (the GCM is the core's).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { createRtspFrameReader, openRtspFrame, rtspNonce, sealRtspFrame, type RtspFrameError } from '../../../src/session/rtsp-frame.ts';
import { MAX_RTSP_MESSAGE_BYTES } from '../../../src/session/rtsp-message.ts';
import type { Result } from '../../../src/lib/result.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
let gcm: Aes128Gcm;

before(async () => {
  const core = await loadCore(new Uint8Array(readFileSync(new URL('../../../build/wasm/core.wasm', import.meta.url))));
  if (!core.ok) throw new Error(core.error.detail);
  gcm = createAes128Gcm(core.value);
});

// shared/captures/sunshine-2026.817/dev-h264-720p60: the client's first frame (OPTIONS).
const KEY = hex('f5ec232291c5b8b3b172680f0cfb0983');
const OPTIONS = ascii('OPTIONS rtsp://0.0.0.0:48010 RTSP/1.0\r\nCSeq: 1\r\nX-GS-ClientVersion: 14\r\nHost: 0.0.0.0\r\n\r\n');
const OPTIONS_FRAME = hex(
  '8000005900000001f2386605e775294b24d8d91c0a14d5cdf5dfa327f29daee129015d8caba34458d53c675ce0af62d2695c2d8d9f9cb94a05c237bd45b6424b99148f1a413fa8230ab3b640e81cdc66e3f8b759aedeb3a106090ae096c294d160e4f3b7476725cf040e0cc168d595a273',
);

test('the nonce is the LE32 sequence, six zero bytes, the sender\'s letter and R', () => {
  assert.equal(toHex(rtspNonce(1, 'client')), '010000000000000000004352');
  assert.equal(toHex(rtspNonce(0x01020304, 'host')), '040302010000000000004852');
});

test('sealing the real session\'s OPTIONS with its key and counter 1 gives the recorded frame', () => {
  const frame = sealRtspFrame(gcm, KEY, 1, 'client', OPTIONS);
  assert.ok(frame.ok);
  assert.equal(toHex(frame.value), toHex(OPTIONS_FRAME));
  const opened = openRtspFrame(gcm, KEY, 'client', OPTIONS_FRAME);
  assert.ok(opened.ok);
  assert.equal(opened.value.sequence, 1);
  assert.equal(toHex(opened.value.plaintext), toHex(OPTIONS));
});

test('a frame opens only as its sender\'s, with its key, and unaltered', () => {
  assert.deepEqual(openRtspFrame(gcm, KEY, 'host', OPTIONS_FRAME), { ok: false, error: { kind: 'auth-failed', sequence: 1 } });
  const otherKey = Uint8Array.from(KEY);
  otherKey[0] = (otherKey[0] ?? 0) ^ 1;
  assert.deepEqual(openRtspFrame(gcm, otherKey, 'client', OPTIONS_FRAME), { ok: false, error: { kind: 'auth-failed', sequence: 1 } });
  for (const at of [5, 8, 30, OPTIONS_FRAME.length - 1]) {
    const altered = Uint8Array.from(OPTIONS_FRAME);
    altered[at] = (altered[at] ?? 0) ^ 0x40;
    assert.equal(openRtspFrame(gcm, KEY, 'client', altered).ok, false, `byte ${at}`);
  }
});

test('open refuses plaintext, truncated frames, trailing bytes and over-long lengths', () => {
  assert.deepEqual(openRtspFrame(gcm, KEY, 'client', OPTIONS), { ok: false, error: { kind: 'not-encrypted' } });
  assert.deepEqual(openRtspFrame(gcm, KEY, 'client', OPTIONS_FRAME.subarray(0, 50)), { ok: false, error: { kind: 'truncated', haveBytes: 50, wantBytes: OPTIONS_FRAME.length } });
  const longer = new Uint8Array(OPTIONS_FRAME.length + 1);
  longer.set(OPTIONS_FRAME);
  assert.deepEqual(openRtspFrame(gcm, KEY, 'client', longer), { ok: false, error: { kind: 'trailing-bytes', extraBytes: 1 } });
  const overLimit = Uint8Array.from(OPTIONS_FRAME);
  new DataView(overLimit.buffer).setUint32(0, (0x80000000 | (MAX_RTSP_MESSAGE_BYTES + 1)) >>> 0, false);
  assert.deepEqual(openRtspFrame(gcm, KEY, 'client', overLimit), { ok: false, error: { kind: 'too-long', lengthBytes: MAX_RTSP_MESSAGE_BYTES + 1 } });
  assert.deepEqual(sealRtspFrame(gcm, KEY, 1, 'client', new Uint8Array(MAX_RTSP_MESSAGE_BYTES + 1)), { ok: false, error: { kind: 'too-long', lengthBytes: MAX_RTSP_MESSAGE_BYTES + 1 } });
  assert.equal(sealRtspFrame(gcm, KEY, 1, 'client', new Uint8Array(MAX_RTSP_MESSAGE_BYTES)).ok, true);
});

function readPieces(frame: Uint8Array, cuts: number[]): Result<Uint8Array | null, RtspFrameError> | RtspFrameError {
  const reader = createRtspFrameReader();
  let from = 0;
  for (const to of [...cuts, frame.length]) {
    const r = reader.push(frame.subarray(from, to));
    if (!r.ok || r.value !== null) return r;
    from = to;
  }
  return reader.end();
}

test('the frame reader gives the whole frame read whole, byte by byte, and split at every offset', () => {
  const expected = { ok: true, value: OPTIONS_FRAME };
  assert.deepEqual(readPieces(OPTIONS_FRAME, []), expected);
  assert.deepEqual(readPieces(OPTIONS_FRAME, Array.from({ length: OPTIONS_FRAME.length - 1 }, (_, i) => i + 1)), expected);
  for (let cut = 0; cut <= OPTIONS_FRAME.length; cut += 1) assert.deepEqual(readPieces(OPTIONS_FRAME, [cut]), expected, `split at ${cut}`);
});

test('the frame reader refuses a plaintext start at once, and bytes past the frame', () => {
  const plain = createRtspFrameReader();
  assert.deepEqual(plain.push(ascii('RTSP')), { ok: false, error: { kind: 'not-encrypted' } });
  const extra = createRtspFrameReader();
  const longer = new Uint8Array(OPTIONS_FRAME.length + 3);
  longer.set(OPTIONS_FRAME);
  assert.deepEqual(extra.push(longer), { ok: false, error: { kind: 'trailing-bytes', extraBytes: 3 } });
  const short = createRtspFrameReader();
  assert.deepEqual(short.push(OPTIONS_FRAME.subarray(0, 2)), { ok: true, value: null });
  assert.deepEqual(short.end(), { kind: 'truncated', haveBytes: 2, wantBytes: 24 });
});
