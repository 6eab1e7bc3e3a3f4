// The simulator's video packetizer against real Sunshine traffic: every frame of every
// recorded session is rebuilt from its data packets (shared/captures/README.md), packetized
// again with the session's parameters, and must give the recorded datagrams byte for byte,
// parity included. Only Sunshine v0.23.1's RTP timestamps (per-packet send times) are
// excluded, because they depend on when each packet left the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { loadMediaCapture, MEDIA_CAPTURES, type MediaCapture } from '../../hostsim/media-capture.ts';
import { createVideoEncryptor } from '../../hostsim/video-encryption.ts';
import { packetizeFrame, type FrameType, type VideoFrame } from '../../hostsim/video-packetizer.ts';

for (const folder of MEDIA_CAPTURES) {
  test(`${folder}: every frame packetizes to the recorded datagrams`, () => {
    const capture = loadMediaCapture(folder);
    const plaintext = capture.session.videoEncrypted ? capture.video.map((d) => decrypt(capture, d)) : capture.video;
    const perPacketTimestamps = folder.startsWith('sunshine-0.23.1/');
    const histogram = new Map<string, number>();
    let at = 0;
    let frames = 0;
    const ours: Uint8Array[] = [];
    for (const recorded of groupFrames(plaintext)) {
      const frame = rebuildFrame(recorded, capture.session.packetSizeAnnounced);
      const out = packetizeFrame(frame, { packetSizeBytes: capture.session.packetSizeAnnounced, fecPercent: capture.session.hostFecPercent, minParity: capture.session.minParity }, seqOf(recorded[0] as Uint8Array));
      assert.equal(out.datagrams.length, recorded.length, `frame ${frame.frameIndex}: datagram count`);
      out.datagrams.forEach((datagram, i) => {
        const expected = recorded[i] as Uint8Array;
        // v0.23.1 stamped each packet with its own send time (data-plane.md §9.1).
        if (perPacketTimestamps) datagram.set(expected.subarray(4, 8), 4);
        assert.equal(hex(datagram), hex(expected), `frame ${frame.frameIndex}, datagram ${i}`);
      });
      for (const block of out.blocks) {
        const key = `${block.dataShards}+${block.parityShards}`;
        histogram.set(key, (histogram.get(key) ?? 0) + 1);
      }
      ours.push(...out.datagrams);
      at += recorded.length;
      frames += 1;
    }
    assert.equal(at, plaintext.length);
    assert.ok(frames > 300, `${frames} frames`);
    assert.deepEqual(Object.fromEntries(histogram), capture.session.blockHistogram);

    if (capture.session.videoEncrypted) {
      // Sunshine's nonce counter starts at 0 and counts every datagram, parity included (§2.9).
      const encryptor = createVideoEncryptor(capture.rikey, 0);
      ours.forEach((packet, i) => assert.equal(hex(encryptor.seal(packet)), hex(capture.video[i] as Uint8Array), `encrypted datagram ${i}`));
    }
  });
}

// Consecutive datagrams with one frameIndex (bytes 20-23) form a frame; parity packets carry
// the frame's index too, since it is written after the parity (§2.4 step 7).
function groupFrames(datagrams: readonly Uint8Array[]): Uint8Array[][] {
  const frames: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let index = -1;
  for (const d of datagrams) {
    const frameIndex = view(d).getUint32(20, true);
    if (frameIndex !== index && current.length > 0) {
      frames.push(current);
      current = [];
    }
    index = frameIndex;
    current.push(d);
  }
  if (current.length > 0) frames.push(current);
  return frames;
}

// The data shards in order (shard index below the block's data count), payload after the
// 32-byte header; the 8-byte frame header says the frame type, latency and last length.
function rebuildFrame(datagrams: readonly Uint8Array[], packetSizeBytes: number): VideoFrame {
  const data = datagrams.filter((d) => {
    const fecInfo = view(d).getUint32(28, true);
    return ((fecInfo >>> 12) & 0x3ff) < fecInfo >>> 22;
  });
  const sliceBytes = packetSizeBytes - 16;
  const first = data[0] as Uint8Array;
  const header = view(first.subarray(32));
  const lastBytes = header.getUint16(4, true);
  const joined = Buffer.concat(data.map((d) => d.subarray(32)));
  const frameBytes = (data.length - 1) * sliceBytes + lastBytes;
  return {
    bitstream: joined.subarray(8, frameBytes),
    frameIndex: view(first).getUint32(20, true),
    frameType: header.getUint8(3) as FrameType,
    hostLatencyTenthsMs: header.getUint16(1, true),
    rtpTimestamp: view(first).getUint32(4, false),
  };
}

function decrypt(capture: MediaCapture, datagram: Uint8Array): Uint8Array {
  const decipher = createDecipheriv('aes-128-gcm', capture.rikey, datagram.subarray(0, 12));
  decipher.setAuthTag(datagram.subarray(16, 32));
  return new Uint8Array(Buffer.concat([decipher.update(datagram.subarray(32)), decipher.final()]));
}

function seqOf(datagram: Uint8Array): number {
  return view(datagram).getUint16(2, false);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
