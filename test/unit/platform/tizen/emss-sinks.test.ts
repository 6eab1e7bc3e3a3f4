// The EMSS sinks against the rule-enforcing fake: the start-up sequence of tizen.md 1.10,
// key frame first, monotonic timestamps, session changes, latency modes, both audio paths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmssVideoSink } from '../../../../src/platform/tizen/emss-video-sink.ts';
import { createEmssAudioSink } from '../../../../src/platform/tizen/emss-audio-sink.ts';
import { createEmssAppender } from '../../../../src/platform/tizen/emss-appender.ts';
import { createAvClock } from '../../../../src/media/av-clock.ts';
import type { VideoSink } from '../../../../src/media/media-sink.ts';
import { accessUnit, createRig, STEREO_48K, VIDEO_1080P60, type Rig } from './emss-rig.ts';

async function started(rig: Rig, audio: typeof STEREO_48K | null = STEREO_48K, latency: 'ultra-low' | 'low' = 'ultra-low') {
  const result = await rig.owner.start({ latency, video: VIDEO_1080P60, audio });
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.error));
  return result.value;
}

async function videoSink(rig: Rig): Promise<{ sink: VideoSink; idrRequests: () => number }> {
  let requests = 0;
  const sink = createEmssVideoSink({ appender: rig.appender, requestKeyFrame: () => requests++ });
  const configured = await sink.configure(VIDEO_1080P60);
  assert.ok(configured.ok);
  return { sink, idrRequests: () => requests };
}

test('start-up follows tizen.md 1.10: ultra-low latency, audio then video track, open after play, both tracks open', async () => {
  const rig = createRig();
  const s = await started(rig);
  const source = rig.fake.source();
  assert.ok(source !== null);
  assert.equal(source.latencyMode, 'latency-mode-ultra-low');
  assert.equal(source.readyState, 'open');
  assert.deepEqual(source.tracks.map((t) => [t.type, t.isOpen]), [['audio', true], ['video', true]]);
  const [audio, video] = source.tracks;
  assert.equal(video?.config['mimeType'], 'video/mp4; codecs="avc1.64002A"');
  assert.deepEqual([video?.config['width'], video?.config['height'], video?.config['framerateNum'], video?.config['framerateDen']], [1920, 1080, 60, 1]);
  assert.deepEqual([audio?.config['mimeType'], audio?.config['sampleFormat'], audio?.config['channelLayout'], audio?.config['samplesPerSecond']], ['audio/webm; codecs="pcm"', 'SampleFormatS16', 'ChannelLayoutStereo', 48_000]);
  assert.equal(rig.fake.video.playCalls, 1);
  assert.deepEqual(s, { latency: 'ultra-low', videoMimeType: 'video/mp4; codecs="avc1.64002A"', videoTrackId: video?.trackId, audioTrackId: audio?.trackId });
  assert.deepEqual(
    rig.events.filter((e) => e.kind === 'track-open').map((e) => e.track).sort(),
    ['audio', 'video'],
  );
  assert.equal(rig.owner.state(), 'running');
  assert.deepEqual(rig.fake.violations, []);
});

test('without the ultra-low-latency feature the source is built in low latency', async () => {
  const rig = createRig({ features: ['base-emss', 'construct-with-modes'] });
  assert.equal((await started(rig)).latency, 'low');
  assert.equal(rig.fake.source()?.latencyMode, 'latency-mode-low');
  assert.deepEqual(rig.fake.violations, []);
});

test('legacy firmware, or a two-argument constructor that throws, gets the legacy low-latency form', async () => {
  for (const options of [{ legacyFirmware: true }, { modernConstructorThrows: true }]) {
    const rig = createRig(options);
    assert.equal((await started(rig)).latency, 'low');
    assert.equal(rig.fake.source()?.legacyMode, 'low-latency', JSON.stringify(options));
    const expected = options.legacyFirmware ? [] : ['TypeError: two-argument constructor not supported'];
    assert.deepEqual(rig.fake.violations, expected);
  }
});

test('with Web Audio selected the source has a video track only', async () => {
  const rig = createRig();
  const s = await started(rig, null);
  assert.equal(s.audioTrackId, null);
  assert.deepEqual(rig.fake.source()?.tracks.map((t) => t.type), ['video']);
});

test('a codec without a hardware decoder is unsupported, and the source is torn down', async () => {
  const rig = createRig({ unsupportedMimeTypes: ['video/mp4; codecs="hev1.1.6.L153.B0"'] });
  const result = await rig.owner.start({ latency: 'ultra-low', video: { ...VIDEO_1080P60, codec: 'h265' }, audio: STEREO_48K });
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.error.kind, 'unsupported');
  await rig.fake.settle();
  assert.equal(rig.fake.source()?.readyState, 'detached');
  assert.equal(rig.fake.source()?.destroyed, true);
  assert.equal(rig.fake.video.src, '');
  assert.equal(rig.fake.revokedUrls.length, 1);
});

test('tracks that never open end the start with an error instead of hanging', async () => {
  const rig = createRig();
  // play() is refused, so the pipeline never opens; the owner's timeout fires.
  rig.fake.video.play = () => Promise.reject(new Error('NotAllowedError'));
  const pending = rig.owner.start({ latency: 'low', video: VIDEO_1080P60, audio: null });
  // Turns of the event loop (no time passes) until the owner waits for the tracks.
  for (let i = 0; i < 20 && rig.owner.state() !== 'opening'; i++) await new Promise(setImmediate);
  await rig.fake.settle();
  assert.equal(rig.owner.state(), 'opening');
  rig.fireTimers();
  const result = await pending;
  assert.equal(result.ok ? 'ok' : result.error.kind, 'platform');
  assert.equal(rig.owner.state(), 'closed');
});

test('units before the first key frame are dropped and one key frame is requested', async () => {
  const rig = createRig();
  await started(rig);
  const { sink, idrRequests } = await videoSink(rig);
  for (let i = 1; i <= 3; i++) sink.pushAccessUnit(accessUnit(false, i), { keyFrame: false, frameIndex: i, ptsUs: i * 16_667 });
  assert.equal(idrRequests(), 1);
  assert.equal(rig.fake.appends.length, 0);
  sink.pushAccessUnit(accessUnit(true, 4), { keyFrame: true, frameIndex: 4, ptsUs: 4 * 16_667 });
  sink.pushAccessUnit(accessUnit(false, 5), { keyFrame: false, frameIndex: 5, ptsUs: 5 * 16_667 });
  assert.deepEqual(rig.fake.appends.map((a) => [a.isKeyFrame, a.bytes[6]]), [[true, 4], [false, 5]]);
  assert.deepEqual(sink.stats(), { submittedFrames: 2, droppedFrames: 3, decodedFrames: 0, keyFrameRequests: 1 });
  assert.deepEqual(rig.fake.violations, []);
});

test('units pushed before the tracks open are dropped, and a key frame is asked for', async () => {
  const rig = createRig();
  const { sink, idrRequests } = await videoSink(rig);
  sink.pushAccessUnit(accessUnit(true, 1), { keyFrame: true, frameIndex: 1, ptsUs: 0 });
  assert.equal(rig.fake.appends.length, 0);
  await started(rig);
  sink.pushAccessUnit(accessUnit(false, 2), { keyFrame: false, frameIndex: 2, ptsUs: 16_667 });
  assert.equal(rig.fake.appends.length, 0);
  assert.ok(idrRequests() >= 1);
  sink.pushAccessUnit(accessUnit(true, 3), { keyFrame: true, frameIndex: 3, ptsUs: 33_333 });
  assert.equal(rig.fake.appends.length, 1);
  assert.deepEqual(rig.fake.violations, []);
});

test('video packets carry strictly increasing pts, dts = pts, one frame of duration, size, frame rate and session', async () => {
  const rig = createRig();
  const s = await started(rig);
  const { sink } = await videoSink(rig);
  const ptsUs = [1000, 17_000, 17_000, 16_000, 50_000];
  ptsUs.forEach((pts, i) => sink.pushAccessUnit(accessUnit(i === 0, i), { keyFrame: i === 0, frameIndex: i, ptsUs: pts }));
  const appended = rig.fake.appends;
  assert.deepEqual(appended.map((a) => Math.round(a.pts * 1e6)), [1000, 17_000, 17_001, 17_002, 50_000]);
  assert.ok(appended.every((a) => a.dts === a.pts && a.duration === 1 / 60 && a.width === 1920 && a.height === 1080));
  assert.ok(appended.every((a) => a.context === 'worker' && a.trackId === s.videoTrackId && a.sessionId === rig.fake.source()?.tracks[1]?.sessionId));
  assert.deepEqual(rig.fake.violations, []);
});

test('suspend and resume: nothing is appended while closed, then a new session starts with a key frame', async () => {
  const rig = createRig();
  await started(rig);
  const { sink, idrRequests } = await videoSink(rig);
  let frame = 0;
  const push = (key: boolean): void => sink.pushAccessUnit(accessUnit(key, frame), { keyFrame: key, frameIndex: frame, ptsUs: frame++ * 16_667 });
  push(true);
  push(false);
  const sessionBefore = rig.fake.appends[0]?.sessionId;
  rig.fake.suspend();
  push(false);
  push(true);
  assert.equal(rig.fake.appends.length, 2);
  rig.fake.resume();
  const requestsBefore = idrRequests();
  push(false);
  assert.equal(idrRequests(), requestsBefore + 1, 'a key frame is requested after the track reopened');
  push(true);
  push(false);
  const after = rig.fake.appends.slice(2);
  assert.deepEqual(after.map((a) => a.isKeyFrame), [true, false]);
  assert.ok(after.every((a) => a.sessionId !== undefined && a.sessionId !== sessionBefore));
  assert.ok(rig.events.some((e) => e.kind === 'track-closed' && e.reason === 'sourcesuspended'));
  assert.deepEqual(rig.fake.violations, []);
});

test('a worker that hears of a closed track late gets one refused append, and recovers', async () => {
  const rig = createRig();
  await started(rig);
  const { sink } = await videoSink(rig);
  sink.pushAccessUnit(accessUnit(true, 0), { keyFrame: true, frameIndex: 0, ptsUs: 0 });
  rig.holdEvents = true;
  rig.fake.suspend();
  sink.pushAccessUnit(accessUnit(false, 1), { keyFrame: false, frameIndex: 1, ptsUs: 16_667 });
  sink.pushAccessUnit(accessUnit(false, 2), { keyFrame: false, frameIndex: 2, ptsUs: 33_333 });
  assert.equal(rig.fake.violations.length, 1);
  assert.match(rig.fake.violations[0] ?? '', /^AppendInvalidTrackStateError/);
  rig.fake.resume();
  rig.holdEvents = false;
  rig.deliverHeld();
  sink.pushAccessUnit(accessUnit(true, 3), { keyFrame: true, frameIndex: 3, ptsUs: 50_000 });
  assert.equal(rig.fake.appends.length, 2);
  assert.equal(rig.fake.violations.length, 1);
});

test('a pipeline error reaches the owner as a failure', async () => {
  const rig = createRig();
  await started(rig);
  rig.fake.failPipeline();
  assert.deepEqual(rig.failures.map((f) => f.kind), ['source-error', 'media-error']);
  assert.ok(rig.events.some((e) => e.kind === 'track-closed' && e.reason === 'sourceerror'));
});

test('closing detaches the element, revokes the URL and destroys the source', async () => {
  const rig = createRig();
  await started(rig);
  await rig.owner.close();
  await rig.fake.settle();
  const source = rig.fake.source();
  assert.equal(source?.readyState, 'detached');
  assert.equal(source?.destroyed, true);
  assert.equal(rig.fake.video.src, '');
  assert.equal(rig.fake.revokedUrls.length, 1);
  assert.ok(source?.tracks.every((t) => !t.isOpen));
  assert.equal(rig.appender.state('video').open, false);
  await rig.owner.close();
  assert.deepEqual(rig.fake.violations, []);
});

test('EMSS PCM: 5 ms key-frame packets with contiguous pts, paced by the clock, with a small reported delay', async () => {
  const rig = createRig();
  await started(rig);
  let nowUs = 1_000_000;
  const sink = createEmssAudioSink({ appender: rig.appender, clock: createAvClock(48_000), nowUs: () => nowUs });
  assert.ok((await sink.configure(STEREO_48K)).ok);
  const block = new Int16Array(240 * 2).fill(1234);
  // 12 s: past the 8 s in which the jitter assumed at start still counts.
  for (let i = 0; i < 2400; i++) {
    nowUs = 1_000_000 + i * 5000 + (i % 3) * 700;
    sink.pushPcm(block, { samplesPerChannel: 240, concealed: false });
  }
  const audio = rig.fake.appends.filter((a) => a.track === 'audio');
  assert.ok(audio.length > 2380, `${audio.length} packets`);
  assert.ok(audio.every((a) => a.isKeyFrame && a.bytes.byteLength === 960 && a.duration === 0.005 && a.dts === a.pts));
  for (let i = 1; i < audio.length; i++) {
    assert.ok(Math.abs((audio[i]?.pts ?? 0) - (audio[i - 1]?.pts ?? 0) - 0.005) < 1e-9, `packet ${i} is not contiguous`);
  }
  const delay = sink.delayMs();
  assert.ok(delay > 2 && delay < 20, `delay ${delay} ms`);
  assert.equal(sink.stats().underruns, 0);
  assert.deepEqual(rig.fake.violations, []);
});

test('EMSS PCM keeps its timeline through a suspend and does not append to the closed track', async () => {
  const rig = createRig();
  await started(rig);
  let nowUs = 0;
  const sink = createEmssAudioSink({ appender: rig.appender, clock: createAvClock(48_000), nowUs: () => nowUs });
  assert.ok((await sink.configure(STEREO_48K)).ok);
  const block = new Int16Array(480);
  const run = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      nowUs = i * 5000;
      sink.pushPcm(block, { samplesPerChannel: 240, concealed: false });
    }
  };
  run(0, 100);
  const before = rig.fake.appends.length;
  rig.fake.suspend();
  run(100, 200);
  assert.equal(rig.fake.appends.length, before);
  rig.fake.resume();
  run(200, 300);
  const audio = rig.fake.appends;
  assert.ok(audio.length > before + 90);
  const firstAfter = audio[before];
  assert.ok(firstAfter !== undefined && firstAfter.pts > 0.99 && firstAfter.sessionId !== audio[0]?.sessionId);
  assert.deepEqual(rig.fake.violations, []);
});

test('a PCM layout EMSS cannot take is unsupported', async () => {
  const rig = createRig();
  const sink = createEmssAudioSink({ appender: rig.appender, clock: createAvClock(48_000), nowUs: () => 0 });
  const result = await sink.configure({ channels: 3, sampleRateHz: 48_000 });
  assert.equal(result.ok ? 'ok' : result.error.kind, 'unsupported');
});

test('an append the decoder refuses makes the sink drop until the next key frame, asking for one', async () => {
  let refuseNext = false;
  const appended: boolean[] = [];
  const appender = createEmssAppender({
    appendPacketAsync(_id, packet) {
      if (refuseNext) {
        refuseNext = false;
        throw Object.assign(new Error('decoder refused'), { name: 'AppendInvalidVideoParametersError' });
      }
      appended.push(packet.isKeyFrame);
    },
    appendPacketSync: () => assert.fail('no blocking appends'),
  });
  appender.handleTrackEvent({ kind: 'track-open', track: 'video', trackId: 3, sessionId: 1 });
  let requests = 0;
  const sink = createEmssVideoSink({ appender, requestKeyFrame: () => requests++ });
  assert.ok((await sink.configure(VIDEO_1080P60)).ok);
  const push = (key: boolean, i: number): void => sink.pushAccessUnit(accessUnit(key, i), { keyFrame: key, frameIndex: i, ptsUs: i * 16_667 });
  push(true, 0);
  refuseNext = true;
  push(false, 1);
  push(false, 2);
  push(true, 3);
  assert.deepEqual(appended, [true, true]);
  assert.equal(requests, 1);
  assert.equal(sink.stats().droppedFrames, 2);
});
