// The EMSS fake's own tests: each documented rule, broken on purpose, fails loudly with the
// platform's exception name and is recorded as a violation (design principle 6, style F.10).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeEmss, type FakeEmss } from '../../../fakes/tizen/emss.fake.ts';

type Ctor = new (...args: unknown[]) => EventTarget & Record<string, (...a: unknown[]) => unknown> & { readyState: string; duration: number };
type Statics = { appendPacketAsync(id: unknown, p: unknown, d: unknown): unknown; appendPacketSync(id: unknown, p: unknown, d: unknown): unknown };

const VIDEO_CONFIG = { mimeType: 'video/mp4; codecs="avc1.640033"', extradata: new Uint8Array(0), width: 1280, height: 720, framerateNum: 60, framerateDen: 1 };
const AUDIO_CONFIG = { mimeType: 'audio/webm; codecs="pcm"', extradata: new Uint8Array(0), sampleFormat: 'SampleFormatS16', channelLayout: 'ChannelLayoutStereo', samplesPerSecond: 48000 };
const AU = Uint8Array.of(0, 0, 0, 1, 0x65, 0x88);

function parts(fake: FakeEmss) {
  const main = fake.mainGlobal as { ElementaryMediaStreamSource: Ctor; SideThreadElementaryMediaTrack: Statics };
  const worker = fake.workerGlobal as { ElementaryMediaStreamSource: Ctor; SideThreadElementaryMediaTrack: Statics };
  return { Source: main.ElementaryMediaStreamSource, WorkerSource: worker.ElementaryMediaStreamSource, mainAppend: main.SideThreadElementaryMediaTrack, workerAppend: worker.SideThreadElementaryMediaTrack };
}

/** A source attached and open with a video and an audio track. */
async function openSource(fake: FakeEmss) {
  const { Source } = parts(fake);
  const source = new Source('latency-mode-ultra-low', 'rendering-mode-media-element');
  fake.video.src = fake.createObjectUrl(source);
  await fake.settle();
  const video = source['addVideoTrack']?.(VIDEO_CONFIG) as { trackId: number; sessionId: number };
  const audio = source['addAudioTrack']?.(AUDIO_CONFIG) as { trackId: number; sessionId: number };
  const opened = source['open']?.() as Promise<void>;
  await fake.settle();
  await fake.video.play();
  await fake.settle();
  await opened;
  return { source, video, audio };
}

function packet(ptsS: number, key: boolean, extra: Record<string, unknown> = {}) {
  return { pts: ptsS, dts: ptsS, duration: 1 / 60, isKeyFrame: key, isEncrypted: false, ...extra };
}

function throwsNamed(fn: () => unknown, name: string): void {
  assert.throws(fn, (e: unknown) => (e as Error).name === name, `expected ${name}`);
}

test('a correct sequence passes with no violation and records every packet', async () => {
  const fake = createFakeEmss();
  const { video, audio } = await openSource(fake);
  const { workerAppend } = parts(fake);
  workerAppend.appendPacketAsync(video.trackId, packet(0, true, { sessionId: video.sessionId }), AU);
  workerAppend.appendPacketSync(video.trackId, packet(0.016, false, { sessionId: video.sessionId }), AU);
  workerAppend.appendPacketAsync(audio.trackId, { ...packet(0, true), duration: 0.005 }, new Uint8Array(960));
  assert.deepEqual(fake.violations, []);
  assert.deepEqual(fake.appends.map((a) => [a.track, a.context]), [['video', 'worker'], ['video', 'worker'], ['audio', 'worker']]);
});

const appendRules: Array<{ name: string; expected: string; act: (ctx: { video: { trackId: number; sessionId: number }; fake: FakeEmss }) => void }> = [
  { name: 'a first packet that is not a key frame', expected: 'AppendExpectsKeyframeError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, packet(0, false), AU) },
  { name: 'a stale session id', expected: 'AppendIgnoredError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, packet(0, true, { sessionId: video.sessionId + 1 }), AU) },
  { name: 'an unknown track id', expected: 'InvalidAccessError', act: ({ fake }) => parts(fake).workerAppend.appendPacketAsync(999, packet(0, true), AU) },
  { name: 'a blocking append on the main thread', expected: 'Error', act: ({ video, fake }) => parts(fake).mainAppend.appendPacketSync(video.trackId, packet(0, true), AU) },
  { name: 'a packet without duration', expected: 'AppendNoDurationError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, { ...packet(0, true), duration: undefined }, AU) },
  { name: 'a negative pts', expected: 'AppendInvalidPtsError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, packet(-1, true), AU) },
  { name: 'width without height', expected: 'AppendInvalidVideoParametersError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, packet(0, true, { width: 1280 }), AU) },
  { name: 'empty data', expected: 'TypeError', act: ({ video, fake }) => parts(fake).workerAppend.appendPacketAsync(video.trackId, packet(0, true), new Uint8Array(0)) },
];

for (const rule of appendRules) {
  test(`an append with ${rule.name} throws ${rule.expected} and is a violation`, async () => {
    const fake = createFakeEmss();
    const { video } = await openSource(fake);
    throwsNamed(() => rule.act({ video, fake }), rule.expected);
    assert.equal(fake.violations.length, 1);
    assert.equal(fake.appends.length, 0);
  });
}

test('pts that do not increase are refused', async () => {
  const fake = createFakeEmss();
  const { video } = await openSource(fake);
  const { workerAppend } = parts(fake);
  workerAppend.appendPacketAsync(video.trackId, packet(1, true), AU);
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(1, false), AU), 'AppendInvalidPtsError');
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(0.5, false), AU), 'AppendInvalidPtsError');
  assert.equal(fake.violations.length, 2);
});

test('PCM that is not whole frames of the layout is refused', async () => {
  const fake = createFakeEmss();
  const { audio } = await openSource(fake);
  throwsNamed(() => parts(fake).workerAppend.appendPacketAsync(audio.trackId, packet(0, true), new Uint8Array(961)), 'TypeError');
});

test('appends before open and after close are refused', async () => {
  const fake = createFakeEmss();
  const { Source, workerAppend } = parts(fake);
  const source = new Source('latency-mode-low', 'rendering-mode-media-element');
  fake.video.src = fake.createObjectUrl(source);
  await fake.settle();
  const video = source['addVideoTrack']?.(VIDEO_CONFIG) as { trackId: number };
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(0, true), AU), 'AppendInvalidTrackStateError');
  const opened = source['open']?.() as Promise<void>;
  await fake.video.play();
  await fake.settle();
  await opened;
  workerAppend.appendPacketAsync(video.trackId, packet(0, true), AU);
  await (source['close']?.() as Promise<void>);
  await fake.settle();
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(1, true), AU), 'AppendInvalidTrackStateError');
  assert.equal(fake.violations.length, 2);
});

test('after a suspend the session id changes and a key frame is needed again', async () => {
  const fake = createFakeEmss();
  const { video } = await openSource(fake);
  const { workerAppend } = parts(fake);
  const oldSession = video.sessionId;
  workerAppend.appendPacketAsync(video.trackId, packet(0, true, { sessionId: oldSession }), AU);
  fake.suspend();
  fake.resume();
  assert.notEqual(video.sessionId, oldSession);
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(1, false, { sessionId: video.sessionId }), AU), 'AppendExpectsKeyframeError');
  throwsNamed(() => workerAppend.appendPacketAsync(video.trackId, packet(1, true, { sessionId: oldSession }), AU), 'AppendIgnoredError');
  workerAppend.appendPacketAsync(video.trackId, packet(1, true, { sessionId: video.sessionId }), AU);
  assert.equal(fake.violations.length, 2);
});

test('source rules: main thread only, tracks only while closed and once per type, frame rate required, no duration in low latency', async () => {
  const fake = createFakeEmss();
  const { Source, WorkerSource } = parts(fake);
  throwsNamed(() => new WorkerSource('latency-mode-low', 'rendering-mode-media-element'), 'InvalidAccessError');
  const source = new Source('latency-mode-low', 'rendering-mode-media-element');
  throwsNamed(() => source['addVideoTrack']?.(VIDEO_CONFIG), 'SourceMustBeClosedError');
  fake.video.src = fake.createObjectUrl(source);
  await fake.settle();
  throwsNamed(() => source['addVideoTrack']?.({ ...VIDEO_CONFIG, framerateNum: undefined }), 'ConfigInvalidFramerateError');
  source['addVideoTrack']?.(VIDEO_CONFIG);
  throwsNamed(() => source['addVideoTrack']?.(VIDEO_CONFIG), 'TrackLimitReachedError');
  throwsNamed(() => source['addAudioTrack']?.({ ...AUDIO_CONFIG, channelLayout: 'ChannelLayoutNine' }), 'ConfigInvalidChannelLayoutError');
  throwsNamed(() => {
    source.duration = 10;
  }, 'NotAllowedInCurrentModeError');
  assert.equal(fake.violations.length, 6);
});

test('ultra-low latency without its feature, and the modern constructor without its feature, are refused', () => {
  const noUll = parts(createFakeEmss({ features: ['base-emss', 'construct-with-modes'] }));
  throwsNamed(() => new noUll.Source('latency-mode-ultra-low', 'rendering-mode-media-element'), 'NotSupportedError');
  const legacy = parts(createFakeEmss({ features: ['base-emss'] }));
  throwsNamed(() => new legacy.Source('latency-mode-low', 'rendering-mode-media-element'), 'TypeError');
  assert.doesNotThrow(() => new legacy.Source('low-latency'));
});

test('open needs a track and an attached, closed source', async () => {
  const fake = createFakeEmss();
  const { Source } = parts(fake);
  const source = new Source('latency-mode-low', 'rendering-mode-media-element');
  await assert.rejects(source['open']?.() as Promise<void>, (e: Error) => e.name === 'InvalidStateError');
  fake.video.src = fake.createObjectUrl(source);
  await fake.settle();
  await assert.rejects(source['open']?.() as Promise<void>, (e: Error) => e.name === 'InvalidStateError');
  assert.equal(fake.violations.length, 2);
});
