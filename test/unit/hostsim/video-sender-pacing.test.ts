// The media sender's schedule on fake time: frames every 1/fps with 90 kHz timestamps from 0,
// audio every packet duration, Sunshine's 64-datagram batches for large frames, nothing
// before the client's endpoint is known, a stall skipped instead of burst, impairment delays
// applied on the clock, and stop() leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMediaSender, type DatagramSink, type MediaClock, type MediaSenderOptions } from '../../hostsim/media-sender.ts';
import { fakeMediaClock } from '../../fakes/media-clock.ts';

interface Sent {
  timeUs: number;
  port: number;
  bytes: Uint8Array;
}

function recordingSink(clock: MediaClock, out: Sent[]): DatagramSink {
  return { send: (bytes, port) => out.push({ timeUs: clock.nowUs(), port, bytes }) };
}

// A one-IDR "clip": frame 0 carries an IDR slice, the others a P slice; `sizes` sets the
// bitstream lengths.
function clip(sizes: number[]): Uint8Array[] {
  return sizes.map((n, i) => {
    const unit = new Uint8Array(Math.max(n, 6));
    unit.set([0, 0, 0, 1, i === 0 ? 0x65 : 0x41, 0x80]);
    return unit;
  });
}

function setup(overrides: Partial<MediaSenderOptions['video']> = {}, extra: Partial<MediaSenderOptions> = {}) {
  const clock = fakeMediaClock();
  const sent: Sent[] = [];
  const sender = createMediaSender({
    video: { codec: 'h264', width: 320, height: 240, fps: 60, packetSizeBytes: 1392, fecPercent: 20, minParity: 2, source: { codec: 'h264', accessUnits: clip([900, 300, 300, 300]) }, ...overrides },
    audio: { channels: 2, key: new Uint8Array(16), rikeyid: 1, encrypt: false, source: { channels: 2, packetDurationMs: 5, packets: [Uint8Array.of(1, 2, 3)] } },
    socket: recordingSink(clock, sent),
    clock,
    ...extra,
  });
  return { clock, sent, sender };
}

const rtpTimestamp = (d: Uint8Array): number => new DataView(d.buffer).getUint32(4, false);
const frameOf = (d: Uint8Array): number => new DataView(d.buffer).getUint32(20, true);

test('nothing is sent before the target is known; then frame 1, sequence 0, an IDR', async () => {
  const { clock, sent, sender } = setup();
  await sender.start();
  clock.advance(100_000);
  assert.equal(sent.length, 0);
  sender.setVideoTarget('127.0.0.1', 5000);
  const first = sent[0]?.bytes as Uint8Array;
  assert.equal(frameOf(first), 1);
  assert.equal(new DataView(first.buffer).getUint16(2, false), 0);
  assert.equal(first[32 + 3], 2, 'IDR frame type');
  sender.stop();
});

test('frames go out every 1/fps with one 90 kHz timestamp per frame, starting at 0', async () => {
  const { clock, sent, sender } = setup();
  await sender.start();
  sender.setVideoTarget('127.0.0.1', 5000);
  clock.advance(1_000_000);
  const frames = new Map<number, Sent[]>();
  for (const s of sent) frames.set(frameOf(s.bytes), [...(frames.get(frameOf(s.bytes)) ?? []), s]);
  assert.equal(frames.size, 61, 'frame 1 at 0 s, frame 61 at 1 s');
  for (const [index, datagrams] of frames) {
    const dueUs = ((index - 1) * 1_000_000) / 60;
    assert.ok(datagrams.every((d) => Math.abs(d.timeUs - dueUs) < 1), `frame ${index} sent on time`);
    assert.ok(datagrams.every((d) => rtpTimestamp(d.bytes) === Math.round(dueUs * 0.09)), `frame ${index} timestamp`);
  }
  // The four-frame clip loops through its IDR: frames 1, 5, 9 ... are IDRs.
  assert.deepEqual([...frames.entries()].filter(([, d]) => d[0]?.bytes[35] === 2).map(([i]) => i).slice(0, 3), [1, 5, 9]);
  sender.stop();
});

test('audio goes out every 5 ms with two FEC packets after every fourth', async () => {
  const { clock, sent, sender } = setup();
  await sender.start();
  sender.setAudioTarget('127.0.0.1', 6000);
  clock.advance(100_000);
  const data = sent.filter((s) => s.bytes[1] === 97);
  assert.equal(data.length, 21);
  data.forEach((s, i) => assert.equal(s.timeUs, i * 5000));
  assert.equal(sent.filter((s) => s.bytes[1] === 127).length, 10);
  assert.ok(sent.every((s) => s.port === 6000));
  sender.stop();
});

test('a frame of more than 64 datagrams goes out in batches of 64 about 0.9 ms apart', async () => {
  const { clock, sent, sender } = setup({ source: { codec: 'h264', accessUnits: clip([150 * 1376]) } });
  await sender.start();
  sender.setVideoTarget('127.0.0.1', 5000);
  clock.advance(10_000);
  const times = [...new Set(sent.map((s) => s.timeUs))];
  // 151 data + 31 parity = 182 datagrams: batches of 64, 64 and 54.
  assert.equal(sent.length, 182);
  assert.equal(times.length, 3);
  assert.ok(Math.abs((times[1] as number) - 64 * 1408 * 8 / 800) < 1, `${times[1]} µs`);
  assert.deepEqual(sent.map((s) => new DataView(s.bytes.buffer).getUint16(2, false)), sent.map((_, i) => i), 'in sequence order');
  sender.stop();
});

test('after a stall longer than 100 ms the sender skips ahead instead of bursting the backlog', async () => {
  const { clock, sent, sender } = setup();
  await sender.start();
  sender.setVideoTarget('127.0.0.1', 5000);
  clock.advance(50_000);
  const before = new Set(sent.map((s) => frameOf(s.bytes))).size;
  clock.jump(500_000);
  clock.advance(1);
  const burst = new Set(sent.map((s) => frameOf(s.bytes))).size - before;
  assert.ok(burst <= 1, `${burst} frames sent at once after the stall`);
  assert.ok(sender.stats().videoFramesSkipped >= 29);
  sender.stop();
});

test('impairment delays are applied on the clock and stop() cancels every pending send', async () => {
  const { clock, sent, sender } = setup({}, { impairment: { video: { seed: 5, reorderRate: 1, reorderDelayMs: 30 } } });
  await sender.start();
  sender.setVideoTarget('127.0.0.1', 5000);
  clock.advance(20_000);
  assert.equal(sent.length, 0, 'every datagram is held for 30 ms');
  clock.advance(15_000);
  assert.ok(sent.length > 0 && sent.every((s) => s.timeUs >= 30_000));
  sender.stop();
  const count = sent.length;
  clock.advance(1_000_000);
  assert.equal(sent.length, count);
  assert.equal(clock.pendingTimers(), 0);
});

test('settings the packetizer cannot honour are refused when the sender is created', () => {
  assert.throws(() => setup({ minParity: 3 }), RangeError, '300 % does not fit the 8-bit fecInfo field');
  assert.throws(() => setup({ packetSizeBytes: 20 }), RangeError);
  assert.throws(() => setup({ encrypt: true }), /16-byte launch key/);
});
