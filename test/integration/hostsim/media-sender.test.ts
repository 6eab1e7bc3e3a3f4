// The media sender over real loopback UDP: a test socket stands in for the client's video and
// audio sockets, receives about a second of stream from the generated fixtures, and checks
// what a client depends on: datagram sizes, sequence and frame order, pacing, the first frame
// and IDR answers, that every FEC block is decodable and rebuilds the fixture's frames, that
// audio decrypts to the fixture's Opus packets, and that seeded loss drops exactly the
// datagrams its seed says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { audioIv } from '../../hostsim/audio-encryption.ts';
import { createImpairment } from '../../hostsim/impairment.ts';
import { loadAudioFixture, loadVideoFixture } from '../../hostsim/media-fixtures.ts';
import { cauchyMatrix, reconstructData } from '../../hostsim/media-reed-solomon.ts';
import { createMediaSender, type MediaSenderEvent, type MediaSenderOptions } from '../../hostsim/media-sender.ts';

const KEY = Buffer.from('dea5f358e13d62f4907594d629384258', 'hex');
const RIKEYID = -621405226;

interface Received {
  timeMs: number;
  bytes: Uint8Array;
}

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

function collect(socket: Socket): Received[] {
  const out: Received[] = [];
  socket.on('message', (msg: Buffer) => out.push({ timeMs: performance.now(), bytes: new Uint8Array(msg) }));
  return out;
}

async function stream(options: { video?: Partial<MediaSenderOptions['video']>; impairment?: MediaSenderOptions['impairment'] }, durationMs: number, during?: (sender: ReturnType<typeof createMediaSender>, events: MediaSenderEvent[]) => void) {
  const host = await bound();
  const hostAudio = await bound();
  const clientVideo = await bound();
  const clientAudio = await bound();
  const video = collect(clientVideo);
  const audio = collect(clientAudio);
  const sender = createMediaSender({
    video: { codec: 'h264', width: 320, height: 240, fps: 60, packetSizeBytes: 1392, fecPercent: 20, minParity: 2, ...options.video },
    audio: { channels: 2, key: KEY, rikeyid: RIKEYID, encrypt: true },
    socket: host,
    audioSocket: hostAudio,
    ...(options.impairment === undefined ? {} : { impairment: options.impairment }),
  });
  const events: MediaSenderEvent[] = [];
  sender.subscribe((e) => events.push(e));
  await sender.start();
  sender.setVideoTarget('127.0.0.1', clientVideo.address().port);
  sender.setAudioTarget('127.0.0.1', clientAudio.address().port);
  during?.(sender, events);
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  sender.stop();
  // Let the last datagrams in flight arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stats = sender.stats();
  for (const s of [host, hostAudio, clientVideo, clientAudio]) s.close();
  return { video, audio, events, stats };
}

const u32 = (d: Uint8Array, at: number): number => new DataView(d.buffer, d.byteOffset, d.byteLength).getUint32(at, true);
const seq = (d: Uint8Array): number => new DataView(d.buffer, d.byteOffset, d.byteLength).getUint16(2, false);

test('video: full-size datagrams in sequence, frames from 1 paced at 60 fps, IDR first, every block decodable into the fixture', async () => {
  const fixture = await loadVideoFixture('h264', 320, 240, 60);
  const { video, stats } = await stream({}, 1000);
  assert.ok(video.length >= 150, `${video.length} datagrams`);
  assert.equal(video.length, stats.videoDatagrams);
  assert.ok(video.every((r) => r.bytes.length === 1408));
  assert.deepEqual(video.map((r) => seq(r.bytes)), video.map((_, i) => i));

  const frames = groupByFrame(video.map((r) => r.bytes));
  assert.deepEqual(frames.map((f) => f.frameIndex), frames.map((_, i) => i + 1));
  assert.ok(frames.length >= 50 && frames.length <= 66, `${frames.length} frames in 1 s`);
  const firstMs = video[0]?.timeMs ?? 0;
  const lastFrameStartMs = video.find((r) => u32(r.bytes, 20) === frames.length)?.timeMs ?? 0;
  const perFrameMs = (lastFrameStartMs - firstMs) / (frames.length - 1);
  assert.ok(perFrameMs > 14 && perFrameMs < 19.5, `${perFrameMs.toFixed(2)} ms per frame`);

  frames.forEach((frame, i) => {
    const bitstream = rebuildFromFec(frame.datagrams, 1392);
    assert.equal(bitstream.frameType, i === 0 ? 2 : 1, `frame ${i + 1} type`);
    assert.deepEqual(bitstream.bytes, fixture.accessUnits[i % fixture.accessUnits.length], `frame ${i + 1} payload`);
  });
});

test('video: an IDR request and a reference-frame invalidation are each answered by the next frame restarting the clip at its IDR', async () => {
  const { video, events } = await stream({}, 700, (sender, seen) => {
    const onFrame = (): void => {
      const frames = seen.filter((e) => e.kind === 'video-frame').length;
      if (frames === 10 && seen.filter((e) => e.kind === 'idr-requested').length === 0) sender.requestIdr();
      if (frames === 20 && seen.filter((e) => e.kind === 'idr-requested').length === 1) sender.invalidateRefFrames(15, 19);
    };
    sender.subscribe(onFrame);
  });
  const sent = events.filter((e): e is Extract<MediaSenderEvent, { kind: 'video-frame' }> => e.kind === 'video-frame');
  assert.deepEqual(sent.filter((e) => e.frameType === 2).map((e) => [e.frameIndex, e.sourceFrame]), [[1, 0], [11, 0], [21, 0]]);
  assert.deepEqual(events.filter((e) => e.kind === 'idr-requested').map((e) => e.kind === 'idr-requested' && e.reason), ['idr-request', 'ref-frame-invalidation']);
  const frames = groupByFrame(video.map((r) => r.bytes));
  assert.deepEqual(frames.filter((f) => rebuildFromFec(f.datagrams, 1392).frameType === 2).map((f) => f.frameIndex), [1, 11, 21]);
});

test('video encryption: 1408-byte datagrams (packet size 1360 + 16 + 32) that decrypt to decodable packets with nonces counting from 0', async () => {
  const { video } = await stream({ video: { packetSizeBytes: 1360, encrypt: true, key: KEY } }, 300);
  assert.ok(video.length > 20);
  const plain = video.map((r, i) => {
    const nonce = r.bytes.subarray(0, 12);
    assert.equal(u32(nonce, 0), i);
    const decipher = createDecipheriv('aes-128-gcm', KEY, nonce);
    decipher.setAuthTag(r.bytes.subarray(16, 32));
    const packet = new Uint8Array(Buffer.concat([decipher.update(r.bytes.subarray(32)), decipher.final()]));
    assert.equal(u32(r.bytes, 12), u32(packet, 20), 'frame number hint');
    return packet;
  });
  assert.ok(plain.every((p) => p.length === 1376));
  for (const frame of groupByFrame(plain)) rebuildFromFec(frame.datagrams, 1360);
});

test('audio: a data packet every 5 ms, two FEC packets after every fourth, decrypting to the fixture in order', async () => {
  const fixture = await loadAudioFixture(2, 5);
  const { audio, stats } = await stream({}, 1000);
  const data = audio.filter((r) => r.bytes[1] === 97);
  const fec = audio.filter((r) => r.bytes[1] === 127);
  assert.ok(data.length >= 170 && data.length <= 205, `${data.length} packets in 1 s`);
  assert.equal(data.length, stats.audioPackets);
  assert.equal(fec.length, 2 * Math.floor(data.length / 4));
  assert.ok(data.every((r) => r.bytes.length === 12 + 64));
  data.forEach((r, i) => {
    assert.equal(seq(r.bytes), i);
    const decipher = createDecipheriv('aes-128-cbc', KEY, audioIv(RIKEYID, i));
    assert.deepEqual(new Uint8Array(Buffer.concat([decipher.update(r.bytes.subarray(12)), decipher.final()])), fixture.packets[i % fixture.packets.length]);
  });
  const spanMs = (data[data.length - 1]?.timeMs ?? 0) - (data[0]?.timeMs ?? 0);
  assert.ok(spanMs / (data.length - 1) > 4 && spanMs / (data.length - 1) < 6, `${(spanMs / (data.length - 1)).toFixed(2)} ms per packet`);
});

test('seeded loss on video drops exactly the datagrams its seed picks, and FEC still rebuilds the blocks that kept k packets', async () => {
  const config = { seed: 2024, lossRate: 0.1 };
  const { video, stats } = await stream({ impairment: { video: config } }, 600);
  const sentCount = stats.videoDatagrams;
  const impairment = createImpairment(config);
  const expected: number[] = [];
  for (let i = 0; i < sentCount; i++) if (impairment.decide().length > 0) expected.push(i);
  assert.deepEqual(video.map((r) => seq(r.bytes)), expected);
  assert.equal(stats.videoImpairment?.lost, sentCount - expected.length);
  assert.ok(sentCount - expected.length > 5);
  let rebuilt = 0;
  for (const frame of groupByFrame(video.map((r) => r.bytes))) {
    const k = u32(frame.datagrams[0] as Uint8Array, 28) >>> 22;
    if (frame.datagrams.length >= k && frame.datagrams.length < k + 2) {
      rebuildFromFec(frame.datagrams, 1392);
      rebuilt += 1;
    }
  }
  assert.ok(rebuilt > 0, 'some frame lost packets and was rebuilt');
});

function groupByFrame(datagrams: readonly Uint8Array[]): { frameIndex: number; datagrams: Uint8Array[] }[] {
  const frames: { frameIndex: number; datagrams: Uint8Array[] }[] = [];
  for (const d of datagrams) {
    const frameIndex = u32(d, 20);
    const last = frames[frames.length - 1];
    if (last?.frameIndex === frameIndex) last.datagrams.push(d);
    else frames.push({ frameIndex, datagrams: [d] });
  }
  return frames;
}

// One-block frames (all the 320x240 fixture has): erasure-decodes the block from whatever
// arrived, then strips the frame header and trims to the last-payload length.
function rebuildFromFec(datagrams: readonly Uint8Array[], packetSizeBytes: number): { frameType: number; bytes: Uint8Array } {
  const first = datagrams[0] as Uint8Array;
  const fecInfo = u32(first, 28);
  const k = fecInfo >>> 22;
  const percent = (fecInfo >>> 4) & 0xff;
  const m = Math.floor((k * percent + 99) / 100);
  assert.equal(first[27], 0, 'one FEC block');
  const firstSeq = (seq(first) - ((fecInfo >>> 12) & 0x3ff)) & 0xffff;
  const shards: (Uint8Array | null)[] = new Array<Uint8Array | null>(k + m).fill(null);
  for (const d of datagrams) shards[(seq(d) - firstSeq) & 0xffff] = d;
  const data = reconstructData(shards, cauchyMatrix(k, m));
  assert.ok(data !== null, 'block decodable');
  const sliceBytes = packetSizeBytes - 16;
  const payload = Buffer.concat(data.map((d) => d.subarray(32)));
  const header = payload.subarray(0, 8);
  const lastBytes = header.readUInt16LE(4);
  return { frameType: header[3] ?? -1, bytes: new Uint8Array(payload.subarray(8, (k - 1) * sliceBytes + lastBytes)) };
}
