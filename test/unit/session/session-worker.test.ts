// The session worker's message edge, without a core: what it answers to messages that do not
// parse. Streams through it run in test/integration/session/stream-worker.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveSessionWorker } from '../../../src/session/session-worker.ts';
import { parseFromSessionWorker, type FromSessionWorker } from '../../../src/session/session-protocol.ts';
import { PREPARED } from './prepared-stream.fixture.ts';

function endpoint() {
  const posted: FromSessionWorker[] = [];
  let listener: (event: { data: unknown }) => void = () => {};
  let platformsBuilt = 0;
  serveSessionWorker(
    {
      postMessage(message) {
        const parsed = parseFromSessionWorker(structuredClone(message));
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
        posted.push(parsed.value);
      },
      addEventListener: (_type, l) => void (listener = l),
    },
    {
      platformFor: () => {
        platformsBuilt += 1;
        throw new Error('no platform is built for a refused start');
      },
      emssSideThread: () => null,
    },
  );
  return { posted, send: (data: unknown) => listener({ data: structuredClone(data) }), platformsBuilt: () => platformsBuilt };
}

test('a start whose media target is malformed is answered start-failed, naming the field, and nothing starts', () => {
  const worker = endpoint();
  worker.send({ kind: 'start', platform: { kind: 'init', platform: 'tizen', coreWasmUrl: 'file:///core.wasm' }, prepared: PREPARED, media: { kind: 'emss-audio' } });
  assert.deepEqual(worker.posted, [
    { kind: 'start-failed', error: { kind: 'internal', detail: 'the session worker refused its start message: media.kind: not one of post, emss, emss-video' } },
  ]);
  assert.equal(worker.platformsBuilt(), 0);
  // One answer per worker: a second bad start is a bug already reported.
  worker.send({ kind: 'start', media: null });
  assert.equal(worker.posted.length, 1);
});

test('other messages that do not parse are dropped without an answer', () => {
  const worker = endpoint();
  for (const data of [null, 'stop', { kind: 'emss-track', event: { kind: 'track-open', track: 'subtitles', trackId: 1, sessionId: null } }, { kind: 'launch' }]) worker.send(data);
  assert.deepEqual(worker.posted, []);
});
