import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReceiveQueue } from '../../../../src/platform/browser/receive-queue.ts';

function byteQueue(highWater = 10) {
  const log: string[] = [];
  const queue = createReceiveQueue<Uint8Array>({
    sizeOf: (b) => b.length,
    highWater,
    overflow: { kind: 'pause', pause: () => log.push('pause'), resume: () => log.push('resume') },
  });
  return { queue, log };
}

test('items pushed before a take are returned in order', async () => {
  const { queue } = byteQueue();
  queue.push(Uint8Array.of(1));
  queue.push(Uint8Array.of(2));
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(1) });
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(2) });
});

test('a waiting take receives the next pushed item', async () => {
  const { queue } = byteQueue();
  const pending = queue.take(10_000);
  queue.push(Uint8Array.of(7));
  assert.deepEqual(await pending, { ok: true, value: Uint8Array.of(7) });
});

test('a take with nothing arriving fails with timeout, and a zero timeout does not wait', async () => {
  const { queue } = byteQueue();
  const r = await queue.take(0);
  assert.ok(!r.ok && r.error.kind === 'timeout');
  const later = await queue.take(1);
  assert.ok(!later.ok && later.error.kind === 'timeout');
  // The timed-out waiter is gone: the next item goes to the next take.
  queue.push(Uint8Array.of(3));
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(3) });
});

test('after eof, queued items come first, then null for every take', async () => {
  const { queue } = byteQueue();
  queue.push(Uint8Array.of(1));
  queue.finish({ kind: 'eof' });
  queue.push(Uint8Array.of(2)); // ignored: nothing follows the end
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(1) });
  assert.deepEqual(await queue.take(0), { ok: true, value: null });
  assert.deepEqual(await queue.take(1000), { ok: true, value: null });
});

test('an end wakes every waiting take', async () => {
  const { queue } = byteQueue();
  const a = queue.take(10_000);
  const b = queue.take(10_000);
  queue.finish({ kind: 'error', error: { kind: 'closed', detail: 'reset' } });
  assert.deepEqual(await a, { ok: false, error: { kind: 'closed', detail: 'reset' } });
  assert.deepEqual(await b, { ok: false, error: { kind: 'closed', detail: 'reset' } });
});

test('abort drops queued items and fails takes, even after eof', async () => {
  const { queue } = byteQueue();
  queue.push(Uint8Array.of(1));
  queue.finish({ kind: 'eof' });
  queue.abort({ kind: 'closed', detail: 'by app' });
  assert.deepEqual(await queue.take(0), { ok: false, error: { kind: 'closed', detail: 'by app' } });
});

test('the source is paused above the high-water mark and resumed once half is read', async () => {
  const { queue, log } = byteQueue(10);
  for (let i = 0; i < 4; i++) queue.push(new Uint8Array(4)); // 16 bytes queued
  assert.deepEqual(log, ['pause']);
  await queue.take(0); // 12 left
  await queue.take(0); // 8 left
  assert.deepEqual(log, ['pause']);
  await queue.take(0); // 4 left: at most half
  assert.deepEqual(log, ['pause', 'resume']);
});

test('with the drop policy, items over the high-water mark are dropped and counted', async () => {
  const queue = createReceiveQueue<Uint8Array>({ sizeOf: (b) => b.length, highWater: 8, overflow: { kind: 'drop' } });
  for (let i = 0; i < 5; i++) queue.push(Uint8Array.of(i, i, i));
  assert.equal(queue.droppedCount, 3);
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(0, 0, 0) });
  assert.deepEqual(await queue.take(0), { ok: true, value: Uint8Array.of(1, 1, 1) });
  const empty = await queue.take(0);
  assert.ok(!empty.ok && empty.error.kind === 'timeout');
});
