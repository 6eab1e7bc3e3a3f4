// The adaptive audio jitter buffer on fake time: steady arrival, jitter bursts, an hour of
// clock drift either way, underruns, and the properties the AudioWorklet relies on.
// A failure names its seed; MEDIA_TEST_SEED replays it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { createAudioJitterBuffer, type AudioJitterBuffer } from '../../../src/media/audio-jitter-buffer.ts';
import { BLOCK_FRAMES, CHANNELS, PULL_FRAMES, SAMPLE_RATE_HZ, SEED, simulate } from './jitter-sim.ts';

const seedNote = `(seed ${SEED})`;

function track(fromS: number) {
  const seen = { min: Infinity, max: -Infinity, underrunsAfter: 0, startUnderruns: -1 };
  return {
    seen,
    onSecond(second: number, buffer: AudioJitterBuffer): void {
      if (second < fromS) return;
      const s = buffer.stats();
      if (seen.startUnderruns < 0) seen.startUnderruns = s.underruns;
      seen.underrunsAfter = s.underruns - seen.startUnderruns;
      seen.min = Math.min(seen.min, buffer.delayMs());
      seen.max = Math.max(seen.max, buffer.delayMs());
    },
  };
}

test('steady arrival: the delay settles small and constant, with no underrun or drop', () => {
  // From 10 s on: the jitter assumed at start is forgotten after 8 s.
  const t = track(10);
  const buffer = simulate({ durationS: 60, onSecond: t.onSecond });
  const s = buffer.stats();
  assert.equal(s.underruns, 0);
  assert.equal(s.droppedFrames, 0);
  assert.ok(t.seen.max < 10, `delay reached ${t.seen.max} ms`);
  assert.ok(t.seen.min > 3, `delay fell to ${t.seen.min} ms`);
  assert.ok(t.seen.max - t.seen.min < 1.5, `delay wandered by ${t.seen.max - t.seen.min} ms`);
});

test('jitter bursts: the target grows during a burst and shrinks back once it is over', () => {
  const burst = (sendMs: number): number => (sendMs > 20_000 && sendMs < 24_000 ? 60 - (sendMs % 500) * 0.12 : 0);
  const during = { target: 0, delay: 0 };
  const after = track(45);
  const buffer = simulate({
    durationS: 60,
    delayMs: (_k, sendMs, random) => random() + burst(sendMs),
    onSecond(second, b) {
      if (second >= 21 && second <= 24) {
        during.target = Math.max(during.target, b.stats().targetMs);
        during.delay = Math.max(during.delay, b.delayMs());
      }
      after.onSecond(second, b);
    },
  });
  assert.ok(during.target > 50, `target only reached ${during.target} ms during the burst ${seedNote}`);
  assert.ok(during.delay > 50, `delay only reached ${during.delay} ms during the burst ${seedNote}`);
  assert.ok(after.seen.max < 10, `delay stayed at ${after.seen.max} ms after the burst ${seedNote}`);
  assert.ok(buffer.stats().targetMs < 10, `target stayed at ${buffer.stats().targetMs} ms ${seedNote}`);
  // Only the first stall of the burst can catch the buffer short; it has adapted for the rest.
  assert.ok(buffer.stats().underruns <= 1, `${buffer.stats().underruns} underruns ${seedNote}`);
  assert.equal(after.seen.underrunsAfter, 0);
});

for (const drift of [0.005, -0.005]) {
  test(`clock drift of ${drift * 100} %: over an hour the delay stays bounded and nothing is dropped`, () => {
    const t = track(10);
    const buffer = simulate({ durationS: 3600, drift, delayMs: (_k, _s, random) => random() * 2, onSecond: t.onSecond });
    const s = buffer.stats();
    assert.equal(s.underruns, 0, seedNote);
    assert.equal(s.droppedFrames, 0, seedNote);
    assert.ok(t.seen.max < 25, `delay reached ${t.seen.max} ms ${seedNote}`);
    assert.ok(t.seen.min > 3, `delay fell to ${t.seen.min} ms ${seedNote}`);
    // The controller has found the drift: it reads 1 + drift input frames per output frame.
    assert.ok(Math.abs(s.ratio - (1 + drift)) < 0.002, `ratio ${s.ratio} ${seedNote}`);
  });
}

test('an underrun plays silence, counts it, and recovers when audio comes back', () => {
  let silentPulls = 0;
  let stalled = false;
  const buffer = simulate({
    durationS: 20,
    skip: (k) => k * 5 >= 10_000 && k * 5 < 10_300,
    onPull(left, tMs) {
      stalled = tMs > 10_050 && tMs < 10_280;
      if (stalled && left.every((v) => v === 0)) silentPulls++;
    },
  });
  const s = buffer.stats();
  assert.equal(s.underruns, 1);
  assert.ok(s.silenceFrames >= 0.25 * SAMPLE_RATE_HZ, `only ${s.silenceFrames} silent frames`);
  assert.ok(silentPulls > 80, `only ${silentPulls} silent quanta during the stall`);
  assert.ok(buffer.delayMs() < 10, `delay ${buffer.delayMs()} ms after recovery`);
});

test('resampling for drift never makes a discontinuity in the signal', () => {
  let previous = NaN;
  let worst = 0;
  simulate({
    durationS: 30,
    drift: 0.005,
    delayMs: (_k, _s, random) => random() * 2,
    onPull(left, tMs) {
      if (tMs < 2000) return;
      for (const v of left) {
        if (!isNaN(previous)) worst = Math.max(worst, Math.abs(v - previous));
        previous = v;
      }
    },
  });
  // The input is a triangle wave that moves 1/32768 per frame; reading at most 2 % fast
  // moves at most 1.02 times that per output frame. A skipped or repeated stretch would not.
  assert.ok(worst * 32768 <= 1.021, `largest step ${worst * 32768} input steps`);
});

test('output stays silent until the fill first reaches target, counted as priming', () => {
  const buffer = createAudioJitterBuffer({ sampleRateHz: SAMPLE_RATE_HZ, channels: CHANNELS, pullFrames: PULL_FRAMES });
  const out = [new Float32Array(PULL_FRAMES).fill(9), new Float32Array(PULL_FRAMES).fill(9)];
  buffer.push(new Int16Array(BLOCK_FRAMES * CHANNELS).fill(1000), BLOCK_FRAMES, 0);
  buffer.pullPlanar(out, PULL_FRAMES, 0);
  assert.ok(out.every((ch) => ch.every((v) => v === 0)));
  const s = buffer.stats();
  assert.equal(s.primingFrames, PULL_FRAMES);
  assert.equal(s.silenceFrames, 0);
  assert.equal(s.underruns, 0);
});

test('a block whose length does not match the channel count is refused and counted', () => {
  const buffer = createAudioJitterBuffer({ sampleRateHz: SAMPLE_RATE_HZ, channels: CHANNELS, pullFrames: PULL_FRAMES });
  buffer.push(new Int16Array(BLOCK_FRAMES * CHANNELS - 1), BLOCK_FRAMES, 0);
  buffer.push(new Int16Array(0), 0, 0);
  assert.equal(buffer.stats().rejectedBlocks, 2);
  assert.equal(buffer.stats().pushedFrames, 0);
});

test('interleaved s16 pulls give the same samples as planar float pulls', () => {
  const make = (): AudioJitterBuffer => createAudioJitterBuffer({ sampleRateHz: SAMPLE_RATE_HZ, channels: 2, pullFrames: PULL_FRAMES });
  const a = make();
  const b = make();
  const block = new Int16Array(BLOCK_FRAMES * 2).map((_, i) => (i % 2 === 0 ? i * 7 : -i * 5) - 1000);
  const planar = [new Float32Array(PULL_FRAMES), new Float32Array(PULL_FRAMES)];
  const interleaved = new Int16Array(PULL_FRAMES * 2);
  for (let i = 0; i < 40; i++) {
    a.push(block, BLOCK_FRAMES, i * 5);
    b.push(block, BLOCK_FRAMES, i * 5);
    a.pullPlanar(planar, PULL_FRAMES, i * 5);
    b.pullInterleavedS16(interleaved, PULL_FRAMES, i * 5);
    for (let f = 0; f < PULL_FRAMES; f++) {
      for (let c = 0; c < 2; c++) {
        // `+ 0` folds -0 into 0: both are silence.
        assert.equal(interleaved[f * 2 + c], Math.round(((planar[c] as Float32Array)[f] as number) * 32768) + 0);
      }
    }
  }
});

test('the factory stands alone: its source text runs in an empty context (the AudioWorklet build)', () => {
  // tsx keeps function names through a `__name` helper; the worklet source defines the same.
  const factory = runInNewContext(`(${createAudioJitterBuffer.toString()})`, { __name: (f: unknown) => f }) as typeof createAudioJitterBuffer;
  const buffer = factory({ sampleRateHz: SAMPLE_RATE_HZ, channels: 1, pullFrames: PULL_FRAMES });
  const out = [new Float32Array(PULL_FRAMES)];
  for (let i = 0; i < 20; i++) {
    buffer.push(new Int16Array(BLOCK_FRAMES).fill(16384), BLOCK_FRAMES, i * 5);
    buffer.pullPlanar(out, PULL_FRAMES, i * 5);
  }
  assert.equal(out[0]?.[0], 0.5);
  assert.ok(buffer.stats().playedFrames > 0);
});

test('an output at 44.1 kHz is fed by resampling 48 kHz input, with a bounded delay', () => {
  const outputRateHz = 44_100;
  const buffer = createAudioJitterBuffer({ sampleRateHz: SAMPLE_RATE_HZ, channels: 1, pullFrames: PULL_FRAMES, outputRateHz });
  const out = [new Float32Array(PULL_FRAMES)];
  const block = new Int16Array(BLOCK_FRAMES).fill(100);
  const pullMs = (PULL_FRAMES * 1000) / outputRateHz;
  let nextPushMs = 0;
  for (let tMs = 0; tMs < 20_000; tMs += pullMs) {
    for (; nextPushMs <= tMs; nextPushMs += 5) buffer.push(block, BLOCK_FRAMES, nextPushMs);
    buffer.pullPlanar(out, PULL_FRAMES, tMs);
  }
  const s = buffer.stats();
  assert.equal(s.underruns, 0);
  assert.equal(s.droppedFrames, 0);
  assert.ok(Math.abs(s.ratio - 48_000 / 44_100) < 0.001, `ratio ${s.ratio}`);
  assert.ok(buffer.delayMs() < 12, `delay ${buffer.delayMs()} ms`);
});
