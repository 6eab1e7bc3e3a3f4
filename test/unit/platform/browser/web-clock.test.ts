import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebClock } from '../../../../src/platform/browser/web-clock.ts';

test('a timer fires once; a cleared timer never fires; clearing twice or a stale handle is harmless', async () => {
  const clock = createWebClock();
  const fired: string[] = [];
  const cleared = clock.setTimer(0, () => fired.push('cleared'));
  clock.clearTimer(cleared);
  clock.clearTimer(cleared);
  await new Promise<void>((resolve) => clock.setTimer(1, () => { fired.push('kept'); resolve(); }));
  clock.clearTimer({ id: 12345 });
  assert.deepEqual(fired, ['kept']);
});

test('handles are distinct and the monotonic clock does not go back', () => {
  const clock = createWebClock();
  const a = clock.setTimer(10_000, () => undefined);
  const b = clock.setTimer(10_000, () => undefined);
  assert.notEqual(a.id, b.id);
  clock.clearTimer(a);
  clock.clearTimer(b);
  const first = clock.nowMs();
  assert.ok(clock.nowMs() >= first);
  assert.ok(Math.abs(clock.wallMs() - Date.now()) < 60_000);
});
