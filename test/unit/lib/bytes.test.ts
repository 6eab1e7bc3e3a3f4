import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesEqual, concatBytes, joinBytes } from '../../../src/lib/bytes.ts';

test('concatBytes joins in order', () => {
  assert.deepEqual(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])), new Uint8Array([1, 2, 3]));
});

test('joinBytes joins a list longer than any argument spread allows, as a long replay dump is', () => {
  const parts = Array.from({ length: 300_000 }, (_, i) => new Uint8Array([i & 0xff]));
  const joined = joinBytes(parts);
  assert.equal(joined.length, parts.length);
  assert.equal(joined[299_999], 299_999 & 0xff);
});

test('bytesEqual compares length and every byte', () => {
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])), true);
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])), false);
  assert.equal(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])), false);
  assert.equal(bytesEqual(new Uint8Array(0), new Uint8Array(0)), true);
});
