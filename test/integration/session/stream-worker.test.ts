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
import type { ServiceEvent, Services, StreamEvent, StreamMedia } from '../../../src/app/services.ts';
import type { InitMessage } from '../../../src/app/worker/protocol.ts';
import { bootServices } from '../../../src/app/worker/boot-services.ts';
import { serveServices } from '../../../src/app/worker/serve-services.ts';
import { createSessionWorkerOpener } from '../../../src/app/worker/session-proxy.ts';
import { createServicesProxy, type WorkerLike } from '../../../src/app/worker/services-proxy.ts';
import { ok } from '../../../src/lib/result.ts';
import type { AudioSink, AudioStreamFormat, VideoSink } from '../../../src/media/media-sink.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import type { Platform } from '../../../src/platform/platform.ts';
import { serveSessionWorker } from '../../../src/session/session-worker.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { createFakeEmss, type FakeEmss } from '../../fakes/tizen/emss.fake.ts';
import { createEmssStreamMedia, type EmssStreamMedia } from '../../../src/platform/tizen/emss-stream-media.ts';
import { parseEmssGlobal, parseSideThreadTrack, type EmssSideThreadTrack } from '../../../src/platform/tizen/emss-types.ts';
import { detectEmssFeatures } from '../../../src/platform/tizen/tizen-capabilities.ts';

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
const workers: Array<{ terminated: boolean; sentToWorker: unknown[]; fromWorker: string[] }> = [];
/** The side-thread EMSS functions the next session worker sees (a TV's), or none (a browser). */
let workerSideThread: EmssSideThreadTrack | null = null;

/** A session worker on the far end of a MessageChannel, built on the Node platform. */
function createChannelWorker(): WorkerLike {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  const record = { terminated: false, sentToWorker: [] as unknown[], fromWorker: [] as string[] };
  serveSessionWorker(
    {
      postMessage(message, transfer) {
        record.fromWorker.push((message as { kind: string }).kind);
        port2.postMessage(message, transfer);
      },
      addEventListener: (type, listener) => port2.addEventListener(type, (event) => listener({ data: event.data })),
    },
    { platformFor: () => platform, emssSideThread: () => workerSideThread },
  );
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

test('a stream runs in the session worker: the page configures its sinks, gets pictures and sound, and Stop ends the worker', async () => {
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
  await waitFor(events, (e) => e.kind === 'stats' && e.stats.framesComplete > 0 && e.stats.audioBlocks > 0);
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
  // Each access unit crossed once, as a buffer of its own (transferred, not a window on core memory).
  assert.ok(seen.units.length > 0 && seen.pcm > 0);
  assert.deepEqual([...(seen.units[0] ?? new Uint8Array(0)).subarray(0, 4)], [0, 0, 0, 1]);
  for (const unit of seen.units) assert.equal(unit.byteLength, unit.buffer.byteLength);
});

/** The TV's media as src/main.ts builds it, over the EMSS fake; the next session worker gets the fake's side-thread functions. */
function tvMedia(pageAudio: AudioSink | null): { fake: FakeEmss; built: EmssStreamMedia } {
  const fake = createFakeEmss();
  const emss = parseEmssGlobal(fake.mainGlobal);
  const features = detectEmssFeatures(fake.mainGlobal);
  workerSideThread = parseSideThreadTrack(fake.workerGlobal);
  assert.ok(emss !== null && features !== null && workerSideThread !== null);
  const built = createEmssStreamMedia({
    emss,
    features,
    media: fake.video,
    objectUrls: { create: (source) => fake.createObjectUrl(source), revoke: (url) => fake.revokeObjectUrl(url) },
    timers: platform.clock,
    latencyFor: () => 'ultra-low',
    pageAudio,
    onFailure: (failure) => assert.fail(`EMSS failed: ${failure.detail}`),
  });
  return { fake, built };
}

test('on a TV the session worker appends to EMSS itself: a key frame first, PCM after, nothing posted, and the PCM queue\'s delay in the stats', async () => {
  assert.ok((await services.quitApp(hostId)).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { fake, built } = tvMedia(null);
  try {
    const started = await services.startStream(hostId, app.id, { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000 }, built.media);
    assert.ok(started.ok, JSON.stringify(started));
    const events: StreamEvent[] = [];
    started.value.subscribe((event) => events.push(event));
    await waitFor(events, (e) => e.kind === 'stats' && e.stats.framesComplete > 0 && e.stats.audioBlocks > 0);
    const worker = workers.at(-1);
    const sent = (worker?.sentToWorker ?? []) as Array<{ kind: string; media?: unknown }>;
    assert.deepEqual(sent.find((m) => m.kind === 'start')?.media, { kind: 'emss' });
    // The tracks opened while the page built the source, before the worker started: it was told.
    assert.ok(sent.some((m) => m.kind === 'emss-track'));
    started.value.stop();
    assert.deepEqual(await started.value.ended, { kind: 'stopped' });
    const video = fake.appends.filter((a) => a.track === 'video');
    const audio = fake.appends.filter((a) => a.track === 'audio');
    assert.ok(video.length > 0 && audio.length > 0, `${video.length} video and ${audio.length} audio appends`);
    assert.equal(video[0]?.isKeyFrame, true);
    assert.ok(video.every((a) => a.context === 'worker'));
    assert.ok(audio.every((a) => a.context === 'worker'));
    // No unit crossed to the page: the worker played both itself.
    assert.deepEqual(worker?.fromWorker.filter((kind) => kind === 'video' || kind === 'audio'), []);
    const delays = statsDelays(events);
    assert.ok(delays.length > 0 && delays.every((ms) => ms !== null && ms > 0 && ms < 300), JSON.stringify(delays));
    assert.deepEqual(fake.violations, []);
  } finally {
    workerSideThread = null;
    await built.close();
  }
});

test('on a TV with Web Audio chosen the worker appends video to a video-only EMSS source and posts PCM to the page\'s audio sink, whose delay the stats report', async () => {
  assert.ok((await services.quitApp(hostId)).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { sink, seen } = pageAudioSink(37);
  const { fake, built } = tvMedia(sink);
  try {
    const started = await services.startStream(hostId, app.id, { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000 }, built.media);
    assert.ok(started.ok, JSON.stringify(started));
    assert.deepEqual(fake.source()?.tracks.map((t) => t.type), ['video']);
    assert.deepEqual(seen.formats, [{ channels: 2, sampleRateHz: 48_000 }]);
    const events: StreamEvent[] = [];
    started.value.subscribe((event) => events.push(event));
    await waitFor(events, (e) => e.kind === 'stats' && e.stats.framesComplete > 0 && e.stats.audioBlocks > 0);
    const worker = workers.at(-1);
    const sent = (worker?.sentToWorker ?? []) as Array<{ kind: string; media?: unknown }>;
    assert.deepEqual(sent.find((m) => m.kind === 'start')?.media, { kind: 'emss-video' });
    started.value.stop();
    assert.deepEqual(await started.value.ended, { kind: 'stopped' });
    const video = fake.appends.filter((a) => a.track === 'video');
    assert.ok(video.length > 0 && video[0]?.isKeyFrame === true && video.every((a) => a.context === 'worker'), `${video.length} video appends`);
    assert.equal(fake.appends.filter((a) => a.track === 'audio').length, 0);
    // Video never crossed to the page; every PCM block did, once, in a buffer of its own.
    const posted = worker?.fromWorker ?? [];
    assert.equal(posted.filter((kind) => kind === 'video').length, 0);
    assert.ok(seen.blocks > 0 && seen.blocks === posted.filter((kind) => kind === 'audio').length, `${seen.blocks} blocks played`);
    assert.ok(seen.ownBuffers);
    const delays = statsDelays(events);
    assert.ok(delays.length > 0 && delays.every((ms) => ms === 37), JSON.stringify(delays));
    assert.deepEqual(fake.violations, []);
  } finally {
    workerSideThread = null;
    await built.close();
  }
});

/** The page's audio sink on a TV with Web Audio; the AudioWorklet needs a browser, so this one counts. */
function pageAudioSink(delayMs: number) {
  const seen = { formats: [] as AudioStreamFormat[], blocks: 0, ownBuffers: true };
  const sink: AudioSink = {
    configure: async (format) => {
      seen.formats.push(format);
      return ok(undefined);
    },
    pushPcm(samples, info) {
      seen.blocks += 1;
      seen.ownBuffers &&= samples.byteLength === samples.buffer.byteLength && samples.length === info.samplesPerChannel * 2;
    },
    delayMs: () => delayMs,
    stats: () => ({ receivedFrames: 0, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
    close: () => undefined,
  };
  return { sink, seen };
}

function statsDelays(events: StreamEvent[]): Array<number | null> {
  return events.flatMap((e) => (e.kind === 'stats' ? [e.stats.audioDelayMs] : []));
}

/** The page's services: the proxy, the services worker on a channel, and session workers on theirs. */
function pageServices(): { proxy: Services; close(): void } {
  const { port1, port2 } = new MessageChannel();
  port1.start();
  port2.start();
  serveServices(
    {
      postMessage: (message, transfer) => port2.postMessage(message, transfer),
      addEventListener: (type, listener) => port2.addEventListener(type, (event) => listener({ data: event.data })),
    },
    (_init, onStage) => bootServices(platform, onStage, { autoPoll: false }),
  );
  const worker: WorkerLike = {
    postMessage: (message, transfer) => port1.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => port1.addEventListener(type, (event) => listener({ data: event.data })),
    terminate: () => port2.close(),
  };
  const proxy = createServicesProxy(worker, INIT, { openSession: createSessionWorkerOpener({ createWorker: createChannelWorker, platform: INIT }) });
  return {
    proxy,
    close() {
      proxy.dispose();
      port1.close();
    },
  };
}

test('from the page: the services worker prepares the stream, reporting each stage, and a session worker runs it', async () => {
  assert.ok((await services.quitApp(hostId)).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const page = pageServices();
  try {
    const stages: string[] = [];
    page.proxy.subscribe((event: ServiceEvent) => {
      if (event.kind === 'stream-progress' && event.hostId === hostId) stages.push(event.stage);
    });
    const { media, seen } = pageSinks();
    const started = await page.proxy.startStream(hostId, app.id, { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000 }, media);
    assert.ok(started.ok, JSON.stringify(started));
    assert.deepEqual(stages, ['checking-host', 'launching', 'negotiating', 'connecting']);
    const events: StreamEvent[] = [];
    started.value.subscribe((event) => events.push(event));
    await waitFor(events, (e) => e.kind === 'first-frame');
    started.value.stop();
    assert.deepEqual(await started.value.ended, { kind: 'stopped' });
    assert.ok(seen.units.length > 0);
    // The app still runs: quitting it goes through the services worker too.
    assert.equal(sim.runningAppId(), app.id);
    assert.deepEqual(await page.proxy.quitApp(hostId), { ok: true, value: undefined });
    assert.equal(sim.runningAppId(), 0);
  } finally {
    page.close();
  }
});

test('from the page: a start cancelled while it checks the host answers cancelled and launches nothing', async () => {
  assert.ok((await services.quitApp(hostId)).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const page = pageServices();
  try {
    const workersBefore = workers.length;
    const pending = page.proxy.startStream(hostId, app.id, DEFAULT_STREAM_SETTINGS, pageSinks().media);
    page.proxy.cancelStreamStart(hostId);
    assert.deepEqual(await pending, { ok: false, error: { kind: 'cancelled' } });
    assert.equal(sim.runningAppId(), 0);
    assert.equal(workers.length, workersBefore);
  } finally {
    page.close();
  }
});
