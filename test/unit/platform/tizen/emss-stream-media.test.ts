// The TV's StreamMedia against the rule-enforcing EMSS fake, for both audio paths: what the
// source is built with, which StreamMedia the session gets, and what closing releases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamInfo } from '../../../../src/app/services.ts';
import { ok } from '../../../../src/lib/result.ts';
import type { AudioSink } from '../../../../src/media/media-sink.ts';
import type { TimerHandle } from '../../../../src/platform/platform.ts';
import { createEmssStreamMedia, type EmssStreamMedia } from '../../../../src/platform/tizen/emss-stream-media.ts';
import type { EmssTrackEvent } from '../../../../src/platform/tizen/emss-track-events.ts';
import { parseEmssGlobal } from '../../../../src/platform/tizen/emss-types.ts';
import { detectEmssFeatures } from '../../../../src/platform/tizen/tizen-capabilities.ts';
import { createFakeEmss, type FakeEmss } from '../../../fakes/tizen/emss.fake.ts';

const INFO: StreamInfo = { appId: 1, start: 'launched', codec: 'hevc', width: 1920, height: 1080, fps: 60, hdr: false, audioChannels: 6 };

/** A page audio sink that only records: the AudioWorklet needs a browser. */
function recordingAudioSink(): AudioSink & { closed: () => boolean } {
  let closed = false;
  return {
    configure: async () => ok(undefined),
    pushPcm: () => undefined,
    delayMs: () => 0,
    stats: () => ({ receivedFrames: 0, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
    close: () => void (closed = true),
    closed: () => closed,
  };
}

function build(pageAudio: AudioSink | null): { fake: FakeEmss; built: EmssStreamMedia } {
  const fake = createFakeEmss();
  const emss = parseEmssGlobal(fake.mainGlobal);
  const features = detectEmssFeatures(fake.mainGlobal);
  assert.ok(emss !== null && features !== null);
  // The owner's start-up timeouts never fire here: the fake opens its tracks.
  const timers = { setTimer: (): TimerHandle => ({ id: 0 }), clearTimer: () => undefined };
  const built = createEmssStreamMedia({
    emss,
    features,
    media: fake.video,
    objectUrls: { create: (source) => fake.createObjectUrl(source), revoke: (url) => fake.revokeObjectUrl(url) },
    timers,
    latencyFor: () => 'ultra-low',
    pageAudio,
    onFailure: (failure) => assert.fail(failure.detail),
  });
  return { fake, built };
}

test('with Web Audio chosen the source gets a video track only, and the session gets the page sink for sound', async () => {
  const sink = recordingAudioSink();
  const { fake, built } = build(sink);
  assert.equal(built.media.kind, 'emss-video');
  assert.equal(built.media.kind === 'emss-video' ? built.media.audio : null, sink);
  assert.deepEqual(await built.media.open(INFO), { ok: true, value: undefined });
  assert.deepEqual(fake.source()?.tracks.map((t) => [t.type, t.isOpen]), [['video', true]]);
  assert.equal(fake.source()?.tracks[0]?.config['mimeType'], 'video/mp4; codecs="hev1.1.6.L153.B0"');
  await built.close();
  assert.equal(sink.closed(), true);
  assert.deepEqual(fake.violations, []);
});

test('with the PCM track chosen the source gets a 5.1 PCM track beside the video track, and no page sink', async () => {
  const { fake, built } = build(null);
  assert.equal(built.media.kind, 'emss');
  assert.ok((await built.media.open(INFO)).ok);
  const tracks = fake.source()?.tracks ?? [];
  assert.deepEqual(tracks.map((t) => t.type), ['audio', 'video']);
  assert.deepEqual([tracks[0]?.config['channelLayout'], tracks[0]?.config['samplesPerSecond']], ['ChannelLayout5_1', 48_000]);
  await built.close();
  assert.deepEqual(fake.violations, []);
});

test('a late subscriber hears the track opening, and hears the close that tells the worker to stop appending', async () => {
  const { fake, built } = build(recordingAudioSink());
  const media = built.media;
  assert.equal(media.kind, 'emss-video');
  assert.ok((await media.open(INFO)).ok);
  const heard: EmssTrackEvent[] = [];
  media.subscribeTrackEvents((event) => heard.push(event));
  assert.deepEqual(heard.map((e) => [e.kind, e.track]), [['track-open', 'video']]);
  await built.close();
  assert.deepEqual(heard.at(-1), { kind: 'track-closed', track: 'video', reason: 'owner-closed' });
  await fake.settle();
  assert.equal(fake.source()?.destroyed, true);
});

test('AV1 is refused before any source is built', async () => {
  const { fake, built } = build(recordingAudioSink());
  const media = built.media;
  assert.equal(media.kind, 'emss-video');
  const opened = await media.open({ ...INFO, codec: 'av1' });
  assert.equal(opened.ok ? 'ok' : opened.error.kind, 'unsupported');
  assert.equal(fake.source(), null);
});
