import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCancelSource, neverCancelled } from '../../../src/lib/cancel.ts';

test('listeners run once, in order, when cancelled', () => {
  const source = createCancelSource();
  const calls: string[] = [];
  source.signal.onCancel(() => calls.push('a'));
  source.signal.onCancel(() => calls.push('b'));
  assert.equal(source.signal.cancelled, false);
  source.cancel();
  source.cancel();
  assert.equal(source.signal.cancelled, true);
  assert.deepEqual(calls, ['a', 'b']);
});

test('a listener added after the cancel runs at once', () => {
  const source = createCancelSource();
  source.cancel();
  let ran = false;
  source.signal.onCancel(() => (ran = true));
  assert.equal(ran, true);
});

test('neverCancelled never runs its listeners', () => {
  let ran = false;
  neverCancelled.onCancel(() => (ran = true));
  assert.equal(neverCancelled.cancelled, false);
  assert.equal(ran, false);
});
