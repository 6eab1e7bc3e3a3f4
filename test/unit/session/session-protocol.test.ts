// The values that cross threads for a stream: each parses back to itself after a structured
// clone, and garbage is refused with the field that was wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent } from '../../../src/app/services.ts';
import { parseFromWorker, parseToWorker } from '../../../src/app/worker/protocol-parse.ts';
import {
  parseFromSessionWorker,
  parsePreparedStream,
  parseStreamSettings,
  parseToSessionWorker,
  sessionTransfer,
  type FromSessionWorker,
  type ToSessionWorker,
} from '../../../src/session/session-protocol.ts';
import { PREPARED } from './prepared-stream.fixture.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';

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
    { kind: 'stats', stats: { framesComplete: 1, framesRecoveredByFec: 0, framesDropped: 0, idrRequests: 1, rfiRequests: 0, audioBlocks: 9, audioConcealed: 0, packets: 30, bytes: 40000, firstFrameMs: null, audioDelayMs: null } },
    { kind: 'stats', stats: { framesComplete: 60, framesRecoveredByFec: 0, framesDropped: 0, idrRequests: 1, rfiRequests: 0, audioBlocks: 200, audioConcealed: 0, packets: 900, bytes: 800000, firstFrameMs: 90.5, audioDelayMs: 21.25 } },
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

test('every media target parses after a clone, and a malformed one is refused naming the field', () => {
  const start = (media: unknown): unknown => ({ kind: 'start', platform: { kind: 'init', platform: 'tizen', coreWasmUrl: 'file:///core.wasm' }, prepared: PREPARED, media });
  for (const media of [{ kind: 'post' }, { kind: 'emss' }, { kind: 'emss-video' }]) {
    const parsed = parseToSessionWorker(structuredClone(start(media)));
    assert.ok(parsed.ok && parsed.value.kind === 'start', JSON.stringify(media));
    assert.deepEqual(parsed.value.media, media);
  }
  const cases: Array<{ name: string; media: unknown; error: string }> = [
    { name: 'an unknown kind', media: { kind: 'emss-audio' }, error: 'media.kind: not one of post, emss, emss-video' },
    { name: 'a kind that is not a string', media: { kind: 3 }, error: 'media.kind: not one of post, emss, emss-video' },
    { name: 'a bare string', media: 'emss-video', error: 'media is not an object' },
    { name: 'no target at all', media: undefined, error: 'media is not an object' },
  ];
  for (const c of cases) assert.deepEqual(parseToSessionWorker(start(c.media)), { ok: false, error: c.error }, c.name);
});
