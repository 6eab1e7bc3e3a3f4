import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesEqual, concatBytes } from '../../../src/lib/bytes.ts';

test('concatBytes joins in order', () => {
  assert.deepEqual(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
});

test('bytesEqual compares length and every byte', () => {
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])), false);
  assert.equal(bytesEqual(new Uint8Array(0), new Uint8Array(0)), true);
});
