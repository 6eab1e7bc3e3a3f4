// A whole stream, in-process on the Node platform, against the host simulator on loopback:
// the services launch and negotiate, the session loop pumps the real core over real UDP
// sockets, the simulator's media sender streams its test pattern and Opus audio, and the
// stream ends the ways a person meets: stopped here, ended by the host, the host gone, another
// app running. Needs build/wasm/core.wasm.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { createSession } from '../../../wasm/session.ts';
import { createServices } from '../../../src/app/create-services.ts';
import { loadOrCreateIdentity } from '../../../src/app/identity/identity.ts';
import type { ServiceEvent, Services, StreamEvent, StreamHandle, StreamMedia } from '../../../src/app/services.ts';
import { ok } from '../../../src/lib/result.ts';
import type { AudioSink, VideoSink } from '../../../src/media/media-sink.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import type { Platform, Sockets } from '../../../src/platform/platform.ts';
import { createInProcessOpener } from '../../../src/session/start-stream.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamSettings } from '../../../src/session/stream-config.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url);
const PIN = '5190';
// Bounds on each wait; never reached when things work.
const WAIT_MS = 15_000;
/** What the recording audio sink says it holds back. */
const SINK_DELAY_MS = 12.5;

let stateDir = '';
let platform: Platform;
let core: Core;
let sim: HostSim;
let services: Services;
let hostId = '';
const progress: ServiceEvent[] = [];
/** While true, the client's stream sockets hear nothing: the host (or the network) is gone. */
let networkCut = false;

/** The platform's sockets, with every received datagram lost while `networkCut`. */
function cuttableSockets(inner: Sockets): Sockets {
  return {
    connectTcp: (host, port, timeoutMs) => inner.connectTcp(host, port, timeoutMs),
    async openUdp(options) {
      const opened = await inner.openUdp(options);
      if (!opened.ok) return opened;
      const socket = opened.value;
      return ok({
        send: (bytes, host, port) => socket.send(bytes, host, port),
        async receive(timeoutMs) {
          for (;;) {
            const got = await socket.receive(timeoutMs);
            if (!got.ok || !networkCut) return got;
          }
        },
        close: () => socket.close(),
      });
    },
  };
}


const settings: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000, videoFormats: VideoFormat.H264 | VideoFormat.H265 };

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stream-session-it-'));
  platform = createNodePlatform({ stateDir, coreWasmPath: CORE_WASM.pathname });
  const loaded = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!loaded.ok) throw new Error(`core.wasm: ${loaded.error.detail}`);
  core = loaded.value;
  const identity = await loadOrCreateIdentity(platform, core);
  if (!identity.ok) throw new Error(JSON.stringify(identity.error));
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-pc', pin: PIN });
  // Every stream session of the simulator sends media, as Sunshine's encoder does after ANNOUNCE.
  services = createServices({
    platform,
    core,
    identity: identity.value,
    autoPoll: false,
    openSession: createInProcessOpener({ sockets: cuttableSockets(platform.sockets), clock: platform.clock, entropy: platform.entropy, createSession: (config, options) => createSession(core, config, options) }),
  });
  services.subscribe((event) => {
    if (event.kind === 'stream-progress') progress.push(event);
  });
  const added = await services.addHost(`127.0.0.1:${sim.httpPort}`);
  if (!added.ok) throw new Error(JSON.stringify(added.error));
  hostId = added.value.id;
  const pairing = await services.pair(hostId, PIN);
  if (!pairing.ok) throw new Error(JSON.stringify(pairing.error));
  const paired = await pairing.value.done;
  if (!paired.ok) throw new Error(JSON.stringify(paired.error));
});

after(async () => {
  services.dispose();
  await sim.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Sinks that count what reaches them. */
function recordingMedia() {
  const counts = { units: 0, keyUnits: 0, firstUnitKey: null as boolean | null, firstUnitHead: [] as number[], pcmBlocks: 0, configured: [] as string[] };
  const video: VideoSink = {
    configure: async (format) => {
      counts.configured.push(`${format.codec} ${format.width}x${format.height}@${format.fps}`);
      return ok(undefined);
    },
    pushAccessUnit: (data, info) => {
      if (counts.units === 0) {
        counts.firstUnitKey = info.keyFrame;
        counts.firstUnitHead = [...data.subarray(0, 4)];
      }
      counts.units += 1;
      if (info.keyFrame) counts.keyUnits += 1;
    },
    stats: () => ({ submittedFrames: counts.units, droppedFrames: 0, decodedFrames: 0, keyFrameRequests: 0 }),
    close: () => undefined,
  };
  const audio: AudioSink = {
    configure: async (format) => {
      counts.configured.push(`pcm ${format.channels}ch ${format.sampleRateHz}`);
      return ok(undefined);
    },
    pushPcm: () => {
      counts.pcmBlocks += 1;
    },
    delayMs: () => SINK_DELAY_MS,
    stats: () => ({ receivedFrames: 0, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
    close: () => undefined,
  };
  const media: StreamMedia = { kind: 'sinks', video, audio };
  return { media, counts };
}

function nextEvent(handle: StreamHandle, predicate: (event: StreamEvent) => boolean): Promise<StreamEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such stream event in time')), WAIT_MS);
    const stop = handle.subscribe((event) => {
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

async function quitAll(): Promise<void> {
  assert.deepEqual(await services.quitApp(hostId), { ok: true, value: undefined });
}

async function start(appId: number): Promise<{ handle: StreamHandle; counts: ReturnType<typeof recordingMedia>['counts'] }> {
  const { media, counts } = recordingMedia();
  const started = await services.startStream(hostId, appId, settings, media);
  assert.ok(started.ok, JSON.stringify(started));
  return { handle: started.value, counts };
}

test('a started stream reports its stages, configures the sinks, gets pictures and sound, and stops when asked', async () => {
  await quitAll();
  progress.length = 0;
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { handle, counts } = await start(app.id);
  assert.deepEqual(progress.map((e) => (e.kind === 'stream-progress' ? e.stage : '')), ['checking-host', 'launching', 'negotiating', 'connecting']);
  assert.deepEqual(handle.info, { appId: app.id, start: 'launched', codec: 'hevc', width: 1280, height: 720, fps: 60, hdr: false, audioChannels: 2 });
  assert.deepEqual(counts.configured, ['h265 1280x720@60', 'pcm 2ch 48000']);
  const firstFrame = nextEvent(handle, (e) => e.kind === 'first-frame');
  const stats = await nextEvent(handle, (e) => e.kind === 'stats' && e.stats.framesComplete > 0 && e.stats.audioBlocks > 0);
  await firstFrame;
  // The first unit handed out starts the picture: a key frame, Annex-B.
  assert.equal(counts.firstUnitKey, true);
  assert.deepEqual(counts.firstUnitHead, [0, 0, 0, 1]);
  assert.ok(counts.pcmBlocks > 0);
  assert.ok(stats.kind === 'stats' && stats.stats.firstFrameMs !== null && stats.stats.packets > 0 && stats.stats.bytes > 0);
  // The statistics show how long sound waits in the sink.
  assert.equal(stats.stats.audioDelayMs, SINK_DELAY_MS);
  handle.stop();
  assert.deepEqual(await handle.ended, { kind: 'stopped' });
  // The app keeps running on the host: the next start resumes it.
  assert.equal(sim.runningAppId(), app.id);
  const again = await start(app.id);
  assert.equal(again.handle.info.start, 'resumed');
  // Pictures first: a host session still waiting for its client holds up the app's exit (10 s).
  await nextEvent(again.handle, (e) => e.kind === 'first-frame');
  again.handle.stop();
  await again.handle.ended;
});

test('the host ending the stream (its app exited) ends it with the host\'s termination', async () => {
  await quitAll();
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { handle } = await start(app.id);
  await nextEvent(handle, (e) => e.kind === 'first-frame');
  assert.deepEqual(await services.quitApp(hostId), { ok: true, value: undefined });
  // Sunshine's only code (data-plane.md §4.4.15), after frames were seen: a normal end.
  assert.deepEqual(await handle.ended, { kind: 'host-terminated', code: 0x80030023, graceful: true });
});

test('a host that goes silent ends the stream as a lost connection', async () => {
  await quitAll();
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const { handle } = await start(app.id);
  await nextEvent(handle, (e) => e.kind === 'first-frame');
  // Nothing from the host reaches the client any more, as when it loses power.
  networkCut = true;
  try {
    const end = await handle.ended;
    assert.equal(end.kind, 'connection-lost', JSON.stringify(end));
  } finally {
    networkCut = false;
  }
});

test('another app running is reported with its id; after quitting it the chosen app starts', async () => {
  await quitAll();
  const [first, second] = sim.apps();
  assert.ok(first !== undefined && second !== undefined);
  const running = await start(first.id);
  await nextEvent(running.handle, (e) => e.kind === 'first-frame');
  running.handle.stop();
  await running.handle.ended;
  const refused = await services.startStream(hostId, second.id, settings, recordingMedia().media);
  assert.deepEqual(refused, { ok: false, error: { kind: 'app-running', runningAppId: first.id } });
  await quitAll();
  const { handle } = await start(second.id);
  assert.equal(handle.info.start, 'launched');
  handle.stop();
  await handle.ended;
});
