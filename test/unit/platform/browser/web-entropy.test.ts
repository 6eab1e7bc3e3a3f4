import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWebEntropy } from '../../../../src/platform/browser/web-entropy.ts';

test('large requests are filled in chunks of at most 65536 bytes, covering every byte', () => {
  const sizes: number[] = [];
  const entropy = createWebEntropy({
    getRandomValues<T extends ArrayBufferView | null>(array: T): T {
      if (array instanceof Uint8Array) {
        if (array.length > 65536) throw new Error('QuotaExceededError');
        sizes.push(array.length);
        array.fill(0xab);
      }
      return array;
    },
  });
  const bytes = entropy.randomBytes(200_000);
  assert.deepEqual(sizes, [65536, 65536, 65536, 3392]);
  assert.ok(bytes.every((b) => b === 0xab));
  assert.equal(entropy.randomBytes(0).length, 0);
});

test('the default source gives different bytes on each call', () => {
  const entropy = createWebEntropy();
  assert.notDeepEqual(entropy.randomBytes(32), entropy.randomBytes(32));
});
