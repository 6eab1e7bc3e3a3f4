import { test } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok, type Result } from '../../../../src/lib/result.ts';
import { createBoxArtLoader } from '../../../../src/ui/apps/box-art-loader.ts';

/** A load function whose answers the test releases one by one. */
function controlledLoads() {
  const waiting = new Map<number, (result: Result<Uint8Array, string>) => void>();
  const started: number[] = [];
  return {
    started,
    load: (appId: number) =>
      new Promise<Result<Uint8Array, string>>((resolve) => {
        started.push(appId);
        waiting.set(appId, resolve);
      }),
    answer(appId: number, result: Result<Uint8Array, string>) {
      const resolve = waiting.get(appId);
      assert.ok(resolve, `a request for ${appId} is out`);
      waiting.delete(appId);
      resolve(result);
    },
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47]);

test('no more than the allowed number of pictures are requested at once, in the order of the apps', async () => {
  const loads = controlledLoads();
  const loader = createBoxArtLoader({ load: loads.load, onLoaded: () => undefined, concurrency: 2 });
  loader.request([5, 6, 7, 8]);
  assert.deepEqual(loads.started, [5, 6]);
  loads.answer(5, ok(png));
  await settle();
  assert.deepEqual(loads.started, [5, 6, 7]);
  loads.answer(6, err('unreachable'));
  await settle();
  assert.deepEqual(loads.started, [5, 6, 7, 8]);
});

test('loaded pictures are handed over, failed and empty ones are not', async () => {
  const loads = controlledLoads();
  const loaded: number[] = [];
  const loader = createBoxArtLoader({ load: loads.load, onLoaded: (appId) => loaded.push(appId), concurrency: 3 });
  loader.request([1, 2, 3]);
  loads.answer(2, ok(png));
  loads.answer(1, err('timeout'));
  loads.answer(3, ok(new Uint8Array(0)));
  await settle();
  assert.deepEqual(loaded, [2]);
});

test('asking again for a picture already requested does not request it twice', async () => {
  const loads = controlledLoads();
  const loader = createBoxArtLoader({ load: loads.load, onLoaded: () => undefined, concurrency: 1 });
  loader.request([1, 2]);
  loader.request([2, 1, 3]);
  loads.answer(1, ok(png));
  await settle();
  loads.answer(2, ok(png));
  await settle();
  assert.deepEqual(loads.started, [1, 2, 3]);
});

test('after dispose, answers still on the way are ignored and queued requests never start', async () => {
  const loads = controlledLoads();
  const loaded: number[] = [];
  const loader = createBoxArtLoader({ load: loads.load, onLoaded: (appId) => loaded.push(appId), concurrency: 1 });
  loader.request([1, 2]);
  loader.dispose();
  loads.answer(1, ok(png));
  await settle();
  assert.deepEqual(loaded, []);
  assert.deepEqual(loads.started, [1]);
});
