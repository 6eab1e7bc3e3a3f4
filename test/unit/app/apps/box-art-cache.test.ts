import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOX_ART_INDEX_KEY, boxArtKey, createBoxArtCache } from '../../../../src/app/apps/box-art-cache.ts';
import { createMemoryStorage } from '../hosts/memory-platform.fake.ts';

const image = (sizeBytes: number, fill: number): Uint8Array => new Uint8Array(sizeBytes).fill(fill);
const LIMITS = { budgetBytes: 300, maxImageBytes: 200 };

test('a stored image reads back byte for byte', async () => {
  const cache = createBoxArtCache(createMemoryStorage(), LIMITS);
  assert.ok((await cache.put('h', 1, image(100, 7))).ok);
  assert.deepEqual(await cache.get('h', 1), image(100, 7));
  assert.equal(await cache.get('h', 2), null);
});

test('storing past the budget evicts the least recently used images first', async () => {
  const storage = createMemoryStorage();
  const cache = createBoxArtCache(storage, LIMITS);
  await cache.put('h', 1, image(100, 1));
  await cache.put('h', 2, image(100, 2));
  await cache.put('h', 3, image(100, 3));
  assert.ok((await cache.get('h', 1)) !== null, 'reading 1 makes 2 the oldest');
  await cache.put('h', 4, image(100, 4));
  assert.equal(await cache.get('h', 2), null);
  assert.equal(storage.data.has(boxArtKey('h', 2)), false, 'its storage is freed');
  for (const id of [1, 3, 4]) assert.ok((await cache.get('h', id)) !== null, `image ${id} is kept`);
});

test('an image larger than the per-image limit is not kept', async () => {
  const storage = createMemoryStorage();
  const cache = createBoxArtCache(storage, LIMITS);
  await cache.put('h', 1, image(100, 1));
  assert.ok((await cache.put('h', 9, image(201, 9))).ok);
  assert.equal(await cache.get('h', 9), null);
  assert.ok((await cache.get('h', 1)) !== null, 'nothing was evicted for it');
});

test('replacing an image does not count it twice', async () => {
  const cache = createBoxArtCache(createMemoryStorage(), LIMITS);
  await cache.put('h', 1, image(150, 1));
  await cache.put('h', 1, image(150, 2));
  await cache.put('h', 2, image(150, 3));
  assert.deepEqual(await cache.get('h', 1), image(150, 2));
  assert.ok((await cache.get('h', 2)) !== null);
});

test('the cache and its budget carry over to a new instance', async () => {
  const storage = createMemoryStorage();
  const first = createBoxArtCache(storage, LIMITS);
  await first.put('h', 1, image(150, 1));
  await first.put('h', 2, image(150, 2));
  const second = createBoxArtCache(storage, LIMITS);
  await second.put('h', 3, image(150, 3));
  assert.equal(await second.get('h', 1), null);
  assert.ok((await second.get('h', 2)) !== null);
});

test('an unreadable index drops every cached image instead of leaking their space', async () => {
  const storage = createMemoryStorage();
  const first = createBoxArtCache(storage, LIMITS);
  await first.put('h', 1, image(100, 1));
  storage.data.set(BOX_ART_INDEX_KEY, '{"v":1,"entries":[{"key":');
  const second = createBoxArtCache(storage, LIMITS);
  assert.equal(await second.get('h', 1), null);
  assert.equal(storage.data.has(boxArtKey('h', 1)), false);
});

test('forgetting a host removes its images only', async () => {
  const storage = createMemoryStorage();
  const cache = createBoxArtCache(storage, LIMITS);
  await cache.put('h', 1, image(10, 1));
  await cache.put('h2', 1, image(10, 2));
  assert.ok((await cache.forgetHost('h')).ok);
  assert.equal(await cache.get('h', 1), null);
  assert.deepEqual(await cache.get('h2', 1), image(10, 2));
  assert.deepEqual([...storage.data.keys()].filter((k) => k.startsWith('boxart/')), [boxArtKey('h2', 1)]);
});

test('a damaged image is treated as missing and dropped', async () => {
  const storage = createMemoryStorage();
  const cache = createBoxArtCache(storage, LIMITS);
  await cache.put('h', 1, image(10, 1));
  storage.data.set(boxArtKey('h', 1), 'not base64!');
  assert.equal(await cache.get('h', 1), null);
  assert.equal(storage.data.has(boxArtKey('h', 1)), false);
});
