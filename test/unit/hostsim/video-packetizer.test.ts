// The video packetizer's layout rules (data-plane.md §2.1-2.5, 2.9) on synthetic frames,
// including what the recorded sessions never exercise: frames of several FEC blocks, frames so
// large that FEC is switched off, sequence wrap-around, and encryption round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { createPrng } from '../../hostsim/impairment.ts';
import { cauchyMatrix, reconstructData } from '../../hostsim/media-reed-solomon.ts';
import { createVideoEncryptor } from '../../hostsim/video-encryption.ts';
import { FrameType, packetizeFrame, parityFor, type PacketizedFrame, type VideoFrame } from '../../hostsim/video-packetizer.ts';

const CONFIG = { packetSizeBytes: 1392, fecPercent: 20, minParity: 2 };
const SLICE_BYTES = 1376;

function frame(bitstreamBytes: number, overrides: Partial<VideoFrame> = {}): VideoFrame {
  const random = createPrng(bitstreamBytes);
  return { bitstream: Uint8Array.from({ length: bitstreamBytes }, () => 1 + Math.floor(random() * 255)), frameIndex: 7, frameType: FrameType.P, hostLatencyTenthsMs: 0, rtpTimestamp: 1234, ...overrides };
}

const u32 = (d: Uint8Array, at: number): number => new DataView(d.buffer, d.byteOffset).getUint32(at, true);
const seq = (d: Uint8Array): number => new DataView(d.buffer, d.byteOffset).getUint16(2, false);

test('the worked example of §2.5: a 10 000-byte frame is 8 data and 2 parity packets with the documented fecInfo', () => {
  const out = packetizeFrame(frame(10_000), CONFIG, 100);
  assert.deepEqual(out.blocks, [{ dataShards: 8, parityShards: 2, fecPercent: 20, firstSequence: 100 }]);
  assert.equal(out.datagrams.length, 10);
  assert.ok(out.datagrams.every((d) => d.length === 1408));
  assert.equal(u32(out.datagrams[0] as Uint8Array, 28), 0x02000140);
  assert.equal(u32(out.datagrams[3] as Uint8Array, 28), 0x02003140);
  assert.equal(u32(out.datagrams[8] as Uint8Array, 28), 0x02008140);
  assert.deepEqual(out.datagrams.map(seq), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  assert.equal(out.nextSequence, 110);
  // Last payload length: (10 000 + 8) mod 1376 = 376.
  assert.equal(new DataView((out.datagrams[0] as Uint8Array).buffer).getUint16(32 + 4, true), 376);
});

test('a 100-byte frame is one packet with parity raised to 2 and 200 % announced', () => {
  const out = packetizeFrame(frame(100), CONFIG, 0);
  assert.equal(out.datagrams.length, 3);
  assert.equal(u32(out.datagrams[0] as Uint8Array, 28), 0x00400c80);
  const first = out.datagrams[0] as Uint8Array;
  assert.equal(first[24], 0x07, 'picture data + SOF + EOF');
  assert.deepEqual([...first.subarray(32, 40)], [0x01, 0, 0, FrameType.P, 108, 0, 0, 0], 'short frame header; last length counts the header');
  assert.ok(first.subarray(32 + 108).every((b) => b === 0), 'zero padding to the full packet');
});

test('header bytes: 0x90, PT 0, SSRC 0, streamPacketIndex = seq << 8, frameIndex, multiFecFlags 0x10, one timestamp per frame', () => {
  const out = packetizeFrame(frame(5000, { frameIndex: 0x01020304, rtpTimestamp: 0xa0b0c0d0 }), CONFIG, 65534);
  out.datagrams.forEach((d, i) => {
    assert.equal(d[0], 0x90);
    assert.equal(d[1], 0);
    assert.equal(new DataView(d.buffer).getUint32(4, false), 0xa0b0c0d0);
    assert.equal(u32(d, 8), 0);
    assert.equal(u32(d, 12), 0);
    assert.equal(u32(d, 20), 0x01020304);
    assert.equal(d[27], 0);
    assert.equal(seq(d), (65534 + i) & 0xffff, 'sequence wraps');
    if (i < 4) {
      assert.equal(u32(d, 16), (65534 + i) * 256, 'not wrapped inside a block (inferred, see video-packetizer.ts)');
      assert.equal(d[26], 0x10);
      assert.equal(d[24], 0x01 | (i === 0 ? 0x04 : 0) | (i === 3 ? 0x02 : 0));
    }
  });
  assert.equal(out.nextSequence, (65534 + 6) & 0xffff);
});

test('the percentage rule of §2.5 for 1-8 data shards gives the parity counts Sunshine sent', () => {
  const observed = [
    [1, 2, 200], [2, 2, 100], [3, 2, 66], [4, 2, 50], [5, 2, 40], [6, 2, 20], [8, 2, 20], [24, 5, 20], [26, 6, 20],
  ];
  for (const [k, m, p] of observed) assert.deepEqual(parityFor(k as number, 20, 2), { parityShards: m, fecPercent: p }, `k = ${k}`);
  assert.deepEqual(parityFor(5, 0, 2), { parityShards: 0, fecPercent: 0 });
  assert.throws(() => parityFor(1, 20, 3), RangeError);
});

test('a frame of 300 packets is cut into two FEC blocks with their index and count in multiFecBlocks', () => {
  const out = packetizeFrame(frame(300 * SLICE_BYTES - 8 - 100), CONFIG, 10);
  assert.deepEqual(out.blocks.map((b) => [b.dataShards, b.parityShards, b.fecPercent]), [[150, 30, 20], [150, 30, 20]]);
  const blockOf = (d: Uint8Array): number => (d[27] as number) >> 4;
  assert.deepEqual([...new Set(out.datagrams.map((d) => d[27]))], [0x40, 0x50]);
  assert.deepEqual(out.datagrams.map(blockOf).slice(178, 182), [4, 4, 5, 5]);
  // Shard indexes restart in each block; the second block's SOF is its first data packet.
  const second = out.datagrams[180] as Uint8Array;
  assert.equal((u32(second, 28) >>> 12) & 0x3ff, 0);
  assert.equal(second[24], 0x05);
  assert.equal(out.blocks[1]?.firstSequence, 190);
  assertDecodable(out);
});

test('a frame that would need more than four blocks goes out in four blocks without parity', () => {
  const out = packetizeFrame(frame(1000 * SLICE_BYTES), CONFIG, 0);
  assert.equal(out.blocks.length, 4);
  assert.ok(out.blocks.every((b) => b.parityShards === 0 && b.fecPercent === 0));
  assert.equal(out.blocks.reduce((n, b) => n + b.dataShards, 0), out.datagrams.length);
  assert.ok(out.datagrams.every((d) => ((u32(d, 28) >>> 4) & 0xff) === 0));
  assert.deepEqual([...new Set(out.datagrams.map((d) => d[27]))], [0xc0, 0xd0, 0xe0, 0xf0]);
});

test('any k of the k + m packets of each block rebuild the frame at the trusted offsets', () => {
  for (const size of [1, 1368, 1369, 9000, 40_000]) assertDecodable(packetizeFrame(frame(size), CONFIG, 500));
});

test('an encrypted packet is nonce (LE64 counter, 0, 0, 0, V), the frame number, the tag, then AES-GCM of the packet', () => {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const out = packetizeFrame(frame(3000, { frameIndex: 42 }), { ...CONFIG, packetSizeBytes: 1360 }, 0);
  const encryptor = createVideoEncryptor(key, 0xfffffffe);
  out.datagrams.forEach((packet, i) => {
    const sealed = encryptor.seal(packet);
    assert.equal(sealed.length, 1408);
    const view = new DataView(sealed.buffer);
    assert.equal(view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32, 0xfffffffe + i, 'counter carries into the high word');
    assert.deepEqual([...sealed.subarray(8, 12)], [0, 0, 0, 0x56]);
    assert.equal(view.getUint32(12, true), 42);
    const decipher = createDecipheriv('aes-128-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(16, 32));
    assert.deepEqual(new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(32)), decipher.final()])), packet);
  });
});

// Drops min(k, m) data packets of each block and rebuilds them from the rest; compares the
// bytes §2.5 says survive (16-19, 24-26, payload).
function assertDecodable(out: PacketizedFrame): void {
  let at = 0;
  for (const block of out.blocks) {
    const shards = out.datagrams.slice(at, at + block.dataShards + block.parityShards);
    at += shards.length;
    if (block.parityShards === 0) continue;
    const lost = Math.min(block.dataShards, block.parityShards);
    const received = shards.map((s, i) => (i < lost ? null : s));
    const rebuilt = reconstructData(received, cauchyMatrix(block.dataShards, block.parityShards));
    assert.ok(rebuilt !== null);
    for (let i = 0; i < lost; i++) {
      const original = shards[i] as Uint8Array;
      const copy = rebuilt[i] as Uint8Array;
      assert.deepEqual(copy.subarray(16, 20), original.subarray(16, 20));
      assert.deepEqual(copy.subarray(24, 27), original.subarray(24, 27));
      assert.deepEqual(copy.subarray(32), original.subarray(32));
    }
  }
}
