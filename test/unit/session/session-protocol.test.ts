// The values that cross threads for a stream: each parses back to itself after a structured
// clone, and garbage is refused with the field that was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../../src/app/services.ts';
import { parseFromWorker, parseToWorker } from '../../../src/app/worker/protocol-parse.ts';
import { launchKeysFrom } from '../../../src/session/launch.ts';
import {
  parseFromSessionWorker,
  parsePreparedStream,
  parseStreamSettings,
  parseToSessionWorker,
  sessionTransfer,
  type FromSessionWorker,
  type ToSessionWorker,
} from '../../../src/session/session-protocol.ts';
import type { PreparedStream } from '../../../src/session/start-stream.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';

const PREPARED: PreparedStream = {
  config: {
    hostAddress: 'fe80::1',
    ports: { video: 47998, audio: 48000, control: 47999 },
    video: { codec: 'h264', format: 1, width: 1920, height: 1080, fps: 60, packetSizeBytes: 1392, announcedBitrateKbps: 16000, configuredBitrateKbps: 20000, minRequiredFecPackets: 2, referenceFrameInvalidation: true, tenBit: false, yuv444: false, encoderCscMode: 2, slicesPerFrame: 1 },
    audio: { channels: 6, channelMask: 0x3f, streams: 4, coupledStreams: 2, mapping: [0, 4, 1, 5, 2, 3], packetDurationMs: 5, highQuality: false },
    encryption: { rtsp: true, enabledFlags: 7, control: true, video: true, audio: true },
    pingPayload: null,
    control: { connectData: 0xfffffffe, channelCount: 48, protocol: 13 },
    hostFeatureFlags: 3,
    clientFeatureFlags: 3,
    nvFeatureFlags: 167,
    rtspSessionId: 'DEADBEEFCAFE',
    keys: launchKeysFrom(Uint8Array.from({ length: 16 }, (_, i) => i), -2),
  },
  info: { appId: 881448767, start: 'resumed', codec: 'h264', width: 1920, height: 1080, fps: 60, hdr: false, audioChannels: 6 },
};

test('a prepared stream and the settings survive a structured clone and parse to the same values', () => {
  assert.deepEqual(parsePreparedStream(structuredClone(PREPARED)), { ok: true, value: PREPARED });
  assert.deepEqual(parseStreamSettings(structuredClone(DEFAULT_STREAM_SETTINGS)), { ok: true, value: DEFAULT_STREAM_SETTINGS });
});

test('a bad field is refused and named', () => {
  const badKey = structuredClone(PREPARED);
  badKey.config.keys.rikey = new Uint8Array(15);
  assert.deepEqual(parsePreparedStream(badKey), { ok: false, error: 'config.keys.rikey: not 16 bytes' });
  const badPort = structuredClone(PREPARED) as unknown as { config: { ports: { audio: number } } };
  badPort.config.ports.audio = 70000;
  assert.deepEqual(parsePreparedStream(badPort), { ok: false, error: 'config.ports.audio: not an integer in 1..65535' });
  assert.equal(parseStreamSettings({ ...DEFAULT_STREAM_SETTINGS, audioChannels: 4 }).ok, false);
  assert.equal(parsePreparedStream('x').ok, false);
});

test('the services worker messages for a stream start parse on both ends', () => {
  const call = { kind: 'request', id: 3, call: { kind: 'prepareStream', hostId: 'h', appId: 42, settings: DEFAULT_STREAM_SETTINGS } };
  assert.deepEqual(parseToWorker(structuredClone(call)), { ok: true, value: call });
  assert.deepEqual(parseToWorker({ kind: 'cancel-stream-start', hostId: 'h' }), { ok: true, value: { kind: 'cancel-stream-start', hostId: 'h' } });
  const response = { kind: 'response', id: 3, call: 'prepareStream', result: { ok: true, value: PREPARED } };
  assert.deepEqual(parseFromWorker(structuredClone(response)), { ok: true, value: response });
  const refused = { kind: 'response', id: 4, call: 'prepareStream', result: { ok: false, error: { kind: 'app-running', runningAppId: 7 } } };
  assert.deepEqual(parseFromWorker(refused), { ok: true, value: refused });
  const progress = { kind: 'event', event: { kind: 'stream-progress', hostId: 'h', stage: 'negotiating' } };
  assert.deepEqual(parseFromWorker(progress), { ok: true, value: progress });
});

test('session worker messages parse after a clone, and a media message transfers exactly its own buffer', () => {
  const start: ToSessionWorker = { kind: 'start', platform: { kind: 'init', platform: 'tizen', coreWasmUrl: 'file:///core.wasm' }, prepared: PREPARED, media: { kind: 'emss' } };
  assert.deepEqual(parseToSessionWorker(structuredClone(start)), { ok: true, value: start });
  const events: StreamEvent[] = [
    { kind: 'connected' },
    { kind: 'first-frame', afterMs: 812.5 },
    { kind: 'stats', stats: { framesComplete: 1, framesRecoveredByFec: 0, framesDropped: 0, idrRequests: 1, rfiRequests: 0, audioBlocks: 9, audioConcealed: 0, packets: 30, bytes: 40000, firstFrameMs: null } },
    { kind: 'ended', end: { kind: 'host-terminated', code: 0x80030023, graceful: true } },
    { kind: 'ended', end: { kind: 'no-video', received: 'nothing' } },
  ];
  for (const event of events) assert.deepEqual(parseFromSessionWorker(structuredClone({ kind: 'event', event })), { ok: true, value: { kind: 'event', event } });
  const video: FromSessionWorker = { kind: 'video', frame: { data: new Uint8Array([0, 0, 0, 1, 0x65]), frameIndex: 3, keyFrame: true, ptsUs: 50_000 } };
  assert.equal(sessionTransfer(video)[0], video.kind === 'video' ? video.frame.data.buffer : null);
  const window: FromSessionWorker = { kind: 'audio', block: { samples: new Int16Array(new ArrayBuffer(64), 16, 8), channels: 2, samplesPerChannel: 4, concealed: false } };
  assert.deepEqual(sessionTransfer(window), []);
  assert.equal(parseFromSessionWorker({ kind: 'audio', block: { samples: new Uint8Array(4), channels: 2, samplesPerChannel: 2, concealed: false } }).ok, false);
  const track = { kind: 'emss-track', event: { kind: 'track-open', track: 'video', trackId: 3, sessionId: null } };
  assert.deepEqual(parseToSessionWorker(track), { ok: true, value: track });
});
