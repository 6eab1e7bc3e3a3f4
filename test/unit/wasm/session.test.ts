// The core session through its TypeScript binding (wasm/session.ts), in Node with the real
// core.wasm: config checks, pings and the clock's two halves, borrowed views, every event
// field and the stats mirror on a recorded Sunshine session with encrypted video, the
// watchdog's termination, isolation of two sessions in one core, and determinism. Needs
// build/wasm/core.wasm (`bash native/build.sh wasm`) and, for the recorded parts,
// ../shared/captures beside the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { createSession, type CoreSession, type SessionEvent } from '../../../wasm/session.ts';
import { readCaptureFolder, replayInto, type CaptureFolder } from '../../../src/cli/replay.ts';
import { launchKeysFrom } from '../../../src/session/launch.ts';
import type { StreamConfig } from '../../../src/session/stream-config.ts';

const wasmBytes = new Uint8Array(readFileSync(new URL('../../../build/wasm/core.wasm', import.meta.url)));
const CAPTURES = new URL('../../../../shared/captures/', import.meta.url).pathname;
const ENCRYPTED = `${CAPTURES}sunshine-2026.817/dev-h265-720p60-encvideo`;
const CLEAR = `${CAPTURES}sunshine-0.23.1/dev-h264-720p60`;
const noCaptures = !existsSync(ENCRYPTED) && 'captures not found';

// A time beyond 2^32 µs, as a monotonic clock in µs since the epoch gives: both halves matter.
const T0 = 1_732_000_000_000_000;
const PING_INTERVAL_US = 500_000;
const SEED = new Uint8Array(32).fill(7);

async function core(): Promise<Core> {
  const r = await loadCore(wasmBytes);
  if (!r.ok) assert.fail(r.error.detail);
  return r.value;
}

function streamConfig(overrides: { pingPayload?: string | null; audioStreams?: number } = {}): StreamConfig {
  return {
    hostAddress: '127.0.0.1',
    ports: { video: 47998, audio: 48000, control: 47999 },
    video: {
      codec: 'h264', format: 1, width: 1280, height: 720, fps: 60, packetSizeBytes: 1392, announcedBitrateKbps: 2400,
      configuredBitrateKbps: 3000, minRequiredFecPackets: 2, referenceFrameInvalidation: false, tenBit: false, yuv444: false,
      encoderCscMode: 0, slicesPerFrame: 1,
    },
    audio: { channels: 2, channelMask: 3, streams: overrides.audioStreams ?? 1, coupledStreams: 1, mapping: [0, 1], packetDurationMs: 5, highQuality: false },
    encryption: { rtsp: true, enabledFlags: 5, control: true, video: false, audio: true },
    pingPayload: overrides.pingPayload === undefined ? 'A7603E9181ADDC28' : overrides.pingPayload,
    control: { connectData: 1234, channelCount: 48, protocol: 13 },
    hostFeatureFlags: 0,
    clientFeatureFlags: 3,
    nvFeatureFlags: 167,
    rtspSessionId: 'DEADBEEFCAFE',
    keys: launchKeysFrom(new Uint8Array(16).fill(1), 42),
  };
}

function open(c: Core, config: StreamConfig, mediaOnly = true): CoreSession {
  const r = createSession(c, config, { seed: SEED, mediaOnly });
  if (!r.ok) assert.fail(`createSession: ${r.error.name}`);
  return r.value;
}

async function capture(dir: string): Promise<CaptureFolder> {
  const r = await readCaptureFolder(dir);
  if (!r.ok) assert.fail(r.error);
  return r.value;
}

function drainTransmits(s: CoreSession): Array<{ channel: string; bytes: Uint8Array }> {
  const out: Array<{ channel: string; bytes: Uint8Array }> = [];
  for (let t = s.pollTransmit(); t !== null; t = s.pollTransmit()) out.push({ channel: t.channel, bytes: t.bytes.slice() });
  return out;
}

function drainEvents(s: CoreSession): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) out.push(e);
  return out;
}

/** Feeds a recording the way the session worker does and hashes everything that comes out. */
function digestOf(s: CoreSession, inputs: CaptureFolder['inputs'], step: (i: number) => void = () => {}): string {
  const hash = createHash('sha256');
  const first = inputs[0]?.timeUs ?? 0;
  const drain = (): void => drainDigest(s, hash);
  inputs.forEach((input, i) => {
    step(i);
    for (let d = s.nextDeadlineUs(); d <= input.timeUs; d = s.nextDeadlineUs()) {
      s.handleTimeout(Math.max(d, first));
      drain();
    }
    s.receive(input.channel, input.bytes, input.timeUs);
    drain();
  });
  return hash.digest('hex');
}

test('createSession refuses a short seed, a ping payload not of 16 characters and a layout Opus refuses', async () => {
  const c = await core();
  const shortSeed = createSession(c, streamConfig(), { seed: new Uint8Array(31) });
  assert.equal(shortSeed.ok ? '' : shortSeed.error.name, 'GSC_ERR_BAD_LENGTH');
  const badPing = createSession(c, streamConfig({ pingPayload: 'ABC' }), { seed: SEED });
  assert.equal(badPing.ok ? '' : badPing.error.name, 'GSC_ERR_BAD_LENGTH');
  const badLayout = createSession(c, streamConfig({ audioStreams: 0 }), { seed: SEED });
  assert.deepEqual(badLayout.ok ? null : badLayout.error, { kind: 'core-status', call: 'createSession', status: -6, name: 'GSC_ERR_BAD_ARGUMENT' });
});

test('a new session is due at once, then pings audio and video every 500 ms past 2^32 microseconds', async () => {
  const s = open(await core(), streamConfig());
  assert.equal(s.nextDeadlineUs(), 0);
  s.handleTimeout(T0);
  const pings = drainTransmits(s);
  const expected = Buffer.concat([Buffer.from('A7603E9181ADDC28'), Buffer.from([0, 0, 0, 1])]);
  assert.deepEqual(pings.map((p) => p.channel), ['audio', 'video']);
  for (const p of pings) assert.ok(Buffer.from(p.bytes).equals(expected));
  assert.equal(drainEvents(s).length, 0);
  assert.equal(s.nextDeadlineUs(), T0 + PING_INTERVAL_US);
  s.handleTimeout(T0 + PING_INTERVAL_US);
  assert.deepEqual(drainTransmits(s).map((p) => p.bytes[19]), [2, 2]);
  assert.equal(s.stats().pingsSent, 4);
  s.destroy();
});

test('without a ping payload the session pings with the legacy "PING"', async () => {
  const s = open(await core(), streamConfig({ pingPayload: null }));
  s.handleTimeout(T0);
  assert.deepEqual(drainTransmits(s).map((p) => Buffer.from(p.bytes).toString()), ['PING', 'PING']);
  s.destroy();
});

test('rxBuffer lends each channel a view of its largest datagram, and a longer datagram is counted malformed', async () => {
  const s = open(await core(), { ...streamConfig(), encryption: { rtsp: true, enabledFlags: 7, control: true, video: true, audio: true } });
  assert.equal(s.rxBuffer('video').length, 1392 + 16 + 32);
  assert.equal(s.rxBuffer('audio').length, 1400);
  assert.equal(s.rxBuffer('control').length, 4096);
  s.receive('audio', new Uint8Array(1401), T0);
  s.receive('video', new Uint8Array(1441), T0);
  const stats = s.stats();
  assert.equal(stats.audioMalformed, 1);
  assert.equal(stats.videoMalformed, 1);
  assert.equal(stats.malformed, 2);
  assert.equal(stats.packets, 2);
  assert.equal(stats.bytes, 1401 + 1441);
  s.destroy();
});

test('rxCommit without rxBuffer just before is a bug and throws; destroy is idempotent and final', async () => {
  const s = open(await core(), streamConfig());
  assert.throws(() => s.rxCommit('audio', 10, T0), /GSC_ERR_BAD_STATE/);
  s.rxBuffer('video');
  assert.throws(() => s.rxCommit('audio', 10, T0), /GSC_ERR_BAD_STATE/);
  assert.throws(() => s.handleTimeout(-1), RangeError);
  s.destroy();
  s.destroy();
  assert.throws(() => s.pollEvent(), /after destroy/);
});

test('a session that sees no video ends after 10 s with one timeout termination', async () => {
  const s = open(await core(), streamConfig());
  s.handleTimeout(T0);
  drainTransmits(s);
  s.handleTimeout(T0 + 9_999_999);
  drainTransmits(s);
  assert.deepEqual(drainEvents(s), []);
  s.handleTimeout(T0 + 10_000_000);
  assert.deepEqual(drainTransmits(s), []);
  assert.deepEqual(drainEvents(s), [{ kind: 'terminated', reason: 'timeout', hostCode: null, graceful: false }]);
  assert.equal(s.nextDeadlineUs(), Number.POSITIVE_INFINITY);
  s.destroy();
});

test('a recorded session with encrypted video gives every field of its first events, and the stats mirror the core', { skip: noCaptures }, async () => {
  const folder = await capture(ENCRYPTED);
  const s = open(await core(), folder.config);
  assert.equal(s.rxBuffer('video').length, 1408);
  const events: SessionEvent[] = [];
  const firstVideoUs = folder.inputs.find((i) => i.channel === 'video')?.timeUs;
  const first = folder.inputs[0]?.timeUs ?? 0;
  for (const input of folder.inputs) {
    for (let d = s.nextDeadlineUs(); d <= input.timeUs; d = s.nextDeadlineUs()) s.handleTimeout(Math.max(d, first));
    drainTransmits(s);
    const target = s.rxBuffer(input.channel);
    target.set(input.bytes);
    s.rxCommit(input.channel, input.bytes.length, input.timeUs);
    drainTransmits(s);
    for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) {
      // Borrowed views die with the next call: keep what the assertions need, copied.
      if (e.kind === 'video-frame') events.push({ ...e, data: e.data.slice() });
      else if (e.kind === 'audio-pcm') events.push({ ...e, samples: e.samples.slice(), ...(e.opus === undefined ? {} : { opus: e.opus.slice() }) });
      else events.push(e);
    }
  }
  const video = events.filter((e) => e.kind === 'video-frame');
  const audio = events.filter((e) => e.kind === 'audio-pcm');
  assert.equal(video.length, 337);
  const key = video[0];
  assert.equal(key?.frameIndex, 1);
  assert.equal(key?.keyFrame, true);
  // session.json video.rtp_timestamp.first_value
  assert.equal(key?.rtpTimestamp, 71);
  assert.equal(key?.firstPacketUs, firstVideoUs);
  // An HEVC IDR access unit opens with its VPS (NAL type 32).
  assert.deepEqual(Array.from(key?.data.subarray(0, 5) ?? []), [0, 0, 0, 1, 0x40]);
  assert.equal(video.filter((e) => e.keyFrame).length, 1);
  assert.equal(audio.length, 547 + 10);
  const pcm = audio[0];
  assert.equal(pcm?.sequence, 100);
  assert.equal(pcm?.channels, 2);
  assert.equal(pcm?.samplesPerChannel, 240);
  assert.equal(pcm?.samples.length, 480);
  assert.equal(pcm?.concealed, false);
  assert.ok(pcm?.samples.some((v) => v !== 0));
  assert.equal(pcm?.opus?.length, 60);

  const stats = s.stats();
  const count = (channel: string): number => folder.inputs.filter((i) => i.channel === channel).length;
  const bytes = (channel: string): number => folder.inputs.filter((i) => i.channel === channel).reduce((n, i) => n + i.bytes.length, 0);
  assert.equal(stats.videoPackets, count('video'));
  assert.equal(stats.videoBytes, bytes('video'));
  assert.equal(stats.audioPackets, count('audio'));
  assert.equal(stats.audioBytes, bytes('audio'));
  assert.equal(stats.packets, count('video') + count('audio'));
  assert.equal(stats.bytes, bytes('video') + bytes('audio'));
  assert.equal(stats.framesComplete, 337);
  assert.equal(stats.keyFrames, 1);
  assert.equal(stats.audioFrames, 557);
  assert.equal(stats.audioDiscarded, 100);
  assert.equal(stats.malformed, 0);
  assert.equal(stats.videoDecryptFailures, 0);
  assert.ok(stats.videoStale > 0);
  assert.equal(stats.eventsDropped, 0);
  s.destroy();
});

test('without audio decoding each audio event carries its Opus packet and no samples', { skip: noCaptures }, async () => {
  const folder = await capture(CLEAR);
  const created = createSession(await core(), folder.config, { seed: SEED, mediaOnly: true, decodeAudio: false });
  if (!created.ok) assert.fail(created.error.name);
  const s = created.value;
  const first = folder.inputs[0]?.timeUs ?? 0;
  s.handleTimeout(first);
  drainTransmits(s);
  const audio: Array<Extract<SessionEvent, { kind: 'audio-pcm' }>> = [];
  for (const input of folder.inputs) {
    s.receive(input.channel, input.bytes, input.timeUs);
    drainTransmits(s);
    for (const e of drainEvents(s)) if (e.kind === 'audio-pcm') audio.push({ ...e, ...(e.opus === undefined ? {} : { opus: e.opus.slice() }) });
  }
  assert.equal(audio.length, 716 + 16);
  for (const e of audio) {
    assert.equal(e.samples.length, 0);
    assert.equal(e.opus?.length, 60);
    assert.equal(e.concealed, false);
  }
  s.destroy();
});

test('requestIdr drops video until a key frame and counts the request', { skip: noCaptures }, async () => {
  const folder = await capture(CLEAR);
  const s = open(await core(), folder.config);
  const half = Math.floor(folder.inputs.length / 2);
  const before = replayInto(s, folder.inputs.slice(0, half), [], []);
  s.requestIdr();
  drainEvents(s);
  const after = replayInto(s, folder.inputs.slice(half), [], []);
  assert.equal(before.stats.idrRequests, 0);
  assert.ok(after.stats.idrRequests >= 1);
  assert.equal(after.videoFrames, 0);
  assert.equal(after.stats.framesComplete, before.videoFrames);
  s.destroy();
});

test('two sessions in one core, fed in turn, each give what they give alone; a rerun gives the same bytes', { skip: noCaptures }, async () => {
  const c = await core();
  const a = await capture(CLEAR);
  const b = await capture(ENCRYPTED);
  const aloneA = digestOf(open(c, a.config), a.inputs);
  const aloneB = digestOf(open(c, b.config), b.inputs);
  assert.equal(digestOf(open(c, a.config), a.inputs), aloneA);

  const sa = open(c, a.config);
  const sb = open(c, b.config);
  // Each input to A is followed by an input to B, drained, before A's next.
  const hashB = createHash('sha256');
  let nextB = 0;
  const firstB = b.inputs[0]?.timeUs ?? 0;
  const feedB = (): void => {
    const input = b.inputs[nextB++];
    if (input === undefined) return;
    for (let d = sb.nextDeadlineUs(); d <= input.timeUs; d = sb.nextDeadlineUs()) {
      sb.handleTimeout(Math.max(d, firstB));
      drainDigest(sb, hashB);
    }
    sb.receive(input.channel, input.bytes, input.timeUs);
    drainDigest(sb, hashB);
  };
  const interleavedA = digestOf(sa, a.inputs, feedB);
  while (nextB < b.inputs.length) feedB();
  assert.equal(interleavedA, aloneA);
  assert.equal(hashB.digest('hex'), aloneB);
  sa.destroy();
  sb.destroy();
});

/** Hashes every transmit and event with its borrowed bytes, while they are valid. */
function drainDigest(s: CoreSession, hash: ReturnType<typeof createHash>): void {
  for (let t = s.pollTransmit(); t !== null; t = s.pollTransmit()) hash.update(t.channel).update(t.bytes);
  for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) {
    hash.update(JSON.stringify(e, (_key, value: unknown) => (value instanceof Uint8Array || value instanceof Int16Array ? undefined : value)));
    if (e.kind === 'video-frame') hash.update(e.data);
    if (e.kind === 'audio-pcm') hash.update(new Uint8Array(e.samples.buffer, e.samples.byteOffset, e.samples.byteLength)).update(e.opus ?? new Uint8Array(0));
  }
}
