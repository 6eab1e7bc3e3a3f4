import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAvClock } from '../../../src/media/av-clock.ts';

test('the first stream to ask fixes zero, and the other stream shares it', () => {
  const clock = createAvClock(48_000);
  assert.equal(clock.videoPtsUs(5_000_000), 0);
  assert.equal(clock.audioPtsUs(240, 5_020_000), 20_000);
  assert.equal(clock.videoPtsUs(5_016_667), 16_667);
});

test('video pts strictly increase even when arrivals repeat or go backwards', () => {
  const clock = createAvClock(48_000);
  const cases = [
    { arrivalUs: 1_000, expected: 0 },
    { arrivalUs: 1_000, expected: 1 },
    { arrivalUs: 900, expected: 2 },
    { arrivalUs: 17_667, expected: 16_667 },
  ];
  for (const c of cases) assert.equal(clock.videoPtsUs(c.arrivalUs), c.expected, `arrival ${c.arrivalUs}`);
});

test('audio pts advance by the frames produced, not by the time of the call', () => {
  const clock = createAvClock(48_000);
  assert.equal(clock.audioPtsUs(240, 100), 0);
  assert.equal(clock.audioPtsUs(480, 12_000), 5_000);
  assert.equal(clock.audioPtsUs(128, 12_001), 15_000);
  assert.equal(clock.timelineUs(1_100), 1_000);
});

test('audio that fell behind the timeline (a stall) restarts at the present', () => {
  const clock = createAvClock(48_000);
  assert.equal(clock.audioPtsUs(240, 0), 0);
  assert.equal(clock.audioPtsUs(240, 5_000), 5_000);
  // 200 ms later only one more packet was produced.
  assert.equal(clock.audioPtsUs(240, 210_000), 210_000);
  assert.equal(clock.audioPtsUs(240, 215_000), 215_000);
});
