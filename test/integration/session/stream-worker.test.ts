// A stream through the session worker's message protocol, in one Node process: the page's
// opener (src/app/worker/session-proxy.ts) on one end of a real MessageChannel, the worker's
// logic (src/session/session-worker.ts) on the other with the Node platform and the real core,
// against the host simulator on loopback. Needs build/wasm/core.wasm.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../../../wasm/core.ts';
import { createServices } from '../../../src/app/create-services.ts';
import { loadOrCreateIdentity } from '../../../src/app/identity/identity.ts';
import type { Services, StreamEvent, StreamMedia } from '../../../src/app/services.ts';
import type { InitMessage } from '../../../src/app/worker/protocol.ts';
import { createSessionWorkerOpener } from '../../../src/app/worker/session-proxy.ts';
import type { WorkerLike } from '../../../src/app/worker/services-proxy.ts';
import { ok } from '../../../src/lib/result.ts';
import type { AudioSink, VideoSink } from '../../../src/media/media-sink.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import type { Platform } from '../../../src/platform/platform.ts';
import { serveSessionWorker } from '../../../src/session/session-worker.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url).pathname;
const PIN = '6021';
const INIT: InitMessage = { kind: 'init', platform: 'browser', relayUrl: 'ws://127.0.0.1:1/unused', token: 't', coreWasmUrl: '/core.wasm' };
// Bounds on each wait; never reached when things work.
const WAIT_MS = 15_000;

let stateDir = '';
let platform: Platform;
let sim: HostSim;
let services: Services;
let hostId = '';
const workers: Array<{ terminated: boolean; sentToWorker: unknown[] }> = [];

/** A session worker on the far end of a MessageChannel, built on the Node platform. */
function createChannelWorker(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  serveSessionWorker(
    {
      postMessage: (message, transfer) => port2.postMessage(message, transfer),
      addEventListener: (type, listener) => port2.addEventListener(type, (event) => listener({ data: event.data })),
    },
    { platformFor: () => platform, emssSideThread: () => null },
  );
  const record = { terminated: false, sentToWorker: [] as unknown[] };
  workers.push(record);
  return {
    postMessage(message, transfer) {
      record.sentToWorker.push(message);
      port1.postMessage(message, transfer ?? []);
    },
    addEventListener: (type, listener) => port1.addEventListener(type, (event) => listener({ data: event.data })),
    terminate() {
      record.terminated = true;
      port1.close();
      port2.close();
    },
  };
}

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stream-worker-it-'));
  platform = createNodePlatform({ stateDir, coreWasmPath: CORE_WASM });
  const core = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!core.ok) throw new Error(core.error.detail);
  const identity = await loadOrCreateIdentity(platform, core.value);
  if (!identity.ok) throw new Error(JSON.stringify(identity.error));
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-pc', pin: PIN });
  services = createServices({ platform, core: core.value, identity: identity.value, autoPoll: false, openSession: createSessionWorkerOpener({ createWorker: createChannelWorker, platform: INIT }) });
  const added = await services.addHost(`127.0.0.1:${sim.httpPort}`);
  if (!added.ok) throw new Error(JSON.stringify(added.error));
  hostId = added.value.id;
  const pairing = await services.pair(hostId, PIN);
  if (!pairing.ok || !(await pairing.value.done).ok) throw new Error('pairing failed');
});

after(async () => {
  services.dispose();
  await sim.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function pageSinks() {
  const seen = { units: [] as Uint8Array[], pcm: 0, configured: 0 };
  const video: VideoSink = {
    configure: async () => {
      seen.configured += 1;
      return ok(undefined);
    },
    pushAccessUnit: (data) => void seen.units.push(data),
    stats: () => ({ submittedFrames: seen.units.length, droppedFrames: 0, decodedFrames: 0, keyFrameRequests: 0 }),
    close: () => undefined,
  };
  const audio: AudioSink = {
    configure: async () => {
      seen.configured += 1;
      return ok(undefined);
    },
    pushPcm: () => void (seen.pcm += 1),
    delayMs: () => 0,
    stats: () => ({ receivedFrames: 0, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
    close: () => undefined,
  };
  const media: StreamMedia = { kind: 'sinks', video, audio };
  return { media, seen };
}

function waitFor(events: StreamEvent[], predicate: (e: StreamEvent) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + WAIT_MS;
    const check = (): void => {
      if (events.some(predicate)) resolve();
      else if (Date.now() > deadline) reject(new Error(`no such event among ${JSON.stringify(events.map((e) => e.kind))}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

test('a stream runs in the session worker: the page configures its sinks, gets statistics, and Stop ends the worker', async () => {
  assert.ok((await services.quitApp(hostId)).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { media, seen } = pageSinks();
  const started = await services.startStream(hostId, app.id, { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000 }, media);
  assert.ok(started.ok, JSON.stringify(started));
  const handle = started.value;
  assert.equal(seen.configured, 2);
  const events: StreamEvent[] = [];
  handle.subscribe((event) => events.push(event));
  await waitFor(events, (e) => e.kind === 'stats');
  const worker = workers.at(-1);
  assert.ok(worker !== undefined);
  // The worker got the prepared stream and was told to post media to the page.
  const start = worker.sentToWorker[0] as { kind: string; media: unknown; prepared: { info: unknown } };
  assert.equal(start.kind, 'start');
  assert.deepEqual(start.media, { kind: 'post' });
  assert.deepEqual(start.prepared.info, handle.info);
  handle.stop();
  assert.deepEqual(await handle.ended, { kind: 'stopped' });
  assert.equal(events.at(-1)?.kind, 'ended');
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(worker.terminated, true);
  // Each access unit that reached the page is a buffer of its own (transferred, not a window on core memory).
  for (const unit of seen.units) assert.equal(unit.byteLength, unit.buffer.byteLength);
});
