// From a paired host to a StreamConfig against the host simulator on loopback: /launch with a
// fresh key, the encrypted RTSP handshake (corever=1) over real sockets with the real core's
// AES-GCM, then /cancel, /resume, and the host's refusals. Needs build/wasm/core.wasm.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { loadOrCreateIdentity, type ClientIdentity } from '../../../src/app/identity/identity.ts';
import { pairWithHost } from '../../../src/app/pairing/pairing.ts';
import { errorText } from '../../../src/app/error-text.ts';
import { createCancelSource } from '../../../src/lib/cancel.ts';
import { bytesToHex } from '../../../src/lib/hex.ts';
import type { ServerInfo } from '../../../src/nvhttp/serverinfo.ts';
import type { HostEndpoint, NvHttpContext } from '../../../src/nvhttp/nvhttp-client.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import type { Platform } from '../../../src/platform/platform.ts';
import { launchApp, quitApp, resumeApp, type LaunchRequest, type LaunchResult } from '../../../src/session/launch.ts';
import { negotiateStream } from '../../../src/session/rtsp-client.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamConfig, type StreamSettings } from '../../../src/session/stream-config.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url);
const PIN = '4826';
const TIMEOUT_MS = 10_000;

let stateDir = '';
let platform: Platform;
let core: Core;
let gcm: Aes128Gcm;
let identity: ClientIdentity;
let sim: HostSim;
let host: HostEndpoint;
let info: ServerInfo;
let ctx: NvHttpContext;

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stream-start-it-'));
  platform = createNodePlatform({ stateDir, coreWasmPath: CORE_WASM.pathname });
  const loaded = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!loaded.ok) throw new Error(`core.wasm: ${loaded.error.detail} (build it with bash native/build.sh wasm)`);
  core = loaded.value;
  gcm = createAes128Gcm(core);
  const id = await loadOrCreateIdentity(platform, core);
  if (!id.ok) throw new Error(JSON.stringify(id.error));
  identity = id.value;
  // A preset PIN: the simulator answers pairing at once, as Sunshine does with its PIN flag.
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-pc', pin: PIN, sendMedia: false });
  ctx = { platform, core, identity };
  const unpinned: HostEndpoint = { address: '127.0.0.1', httpPort: sim.httpPort, httpsPort: sim.httpsPort, pinnedCertDer: null };
  const paired = await pairWithHost(ctx, unpinned, { pin: PIN, onStage: () => undefined, cancel: createCancelSource().signal, stepTimeoutMs: TIMEOUT_MS });
  if (!paired.ok) throw new Error(`pairing: ${JSON.stringify(paired.error)}`);
  host = { ...unpinned, pinnedCertDer: paired.value.serverCertDer };
  info = paired.value.serverInfo;
});

after(async () => {
  await sim.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const settings: StreamSettings = { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000, videoFormats: VideoFormat.H264 | VideoFormat.H265 };

function launchRequest(appId: number): LaunchRequest {
  return { appId, width: 1280, height: 720, fps: 60, optimizeGameSettings: false, playAudioOnHost: false, audioChannels: 2, gamepadMask: 1, hdr: false, persistGamepads: false };
}

function negotiate(launched: LaunchResult) {
  return negotiateStream(
    { sockets: platform.sockets, clock: platform.clock, gcm },
    { hostAddress: '127.0.0.1', host: { appVersion: info.appVersion, codecModeSupport: info.codecModeSupport }, rtsp: launched.rtsp, settings, keys: launched.keys },
  );
}

/** Each test starts with nothing running, whatever ran before it. */
async function quitRunningApp(): Promise<void> {
  assert.ok((await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS })).ok);
}

function assertMatchesLaunchSession(config: StreamConfig): void {
  const session = sim.launchSession();
  assert.ok(session !== null);
  assert.equal(bytesToHex(config.keys.rikey), bytesToHex(session.rikey));
  assert.equal(config.keys.rikeyId, session.rikeyId);
  assert.equal(bytesToHex(config.keys.remoteInputIv), bytesToHex(session.iv));
  assert.equal(config.pingPayload, session.avPingPayload);
  assert.equal(config.control.connectData, session.controlConnectData);
}

test('a launched app gets an encrypted RTSP handshake and a StreamConfig that matches the host\'s launch session', async () => {
  await quitRunningApp();
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const launched = await launchApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS });
  assert.ok(launched.ok, JSON.stringify(launched));
  assert.equal(launched.value.kind, 'launched');
  assert.deepEqual(launched.value.rtsp, { url: `rtspenc://127.0.0.1:${sim.rtspPort}`, port: sim.rtspPort, encrypted: true });
  assert.equal(sim.runningAppId(), app.id);

  const config = await negotiate(launched.value);
  assert.ok(config.ok, JSON.stringify(config));
  assertMatchesLaunchSession(config.value);
  assert.deepEqual(config.value.ports, { video: sim.httpPort + 9, control: sim.httpPort + 10, audio: sim.httpPort + 11 });
  assert.equal(config.value.video.codec, 'hevc');
  assert.equal(config.value.video.packetSizeBytes, 1392);
  assert.equal(config.value.video.announcedBitrateKbps, 2400);
  // Sunshine's default LAN mode: control and audio encrypted, video not.
  assert.deepEqual(config.value.encryption, { rtsp: true, enabledFlags: 5, control: true, video: false, audio: true });
  assert.deepEqual(config.value.audio, { channels: 2, channelMask: 3, streams: 1, coupledStreams: 1, mapping: [0, 1], packetDurationMs: 5, highQuality: false });
  assert.equal(config.value.hostFeatureFlags, 0x02);
  assert.equal(config.value.rtspSessionId, 'DEADBEEFCAFE');
});

test('after /cancel no app runs, the launch session is gone and RTSP is refused', async () => {
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  await quitRunningApp();
  assert.ok((await launchApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS })).ok);
  const launched = await resumeApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS });
  assert.ok(launched.ok);

  const quit = await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS });
  assert.ok(quit.ok, JSON.stringify(quit));
  assert.equal(sim.runningAppId(), 0);
  assert.equal(sim.launchSession(), null);
  const late = await negotiate(launched.value);
  assert.equal(late.ok, false);
  assert.ok(!late.ok && late.error.kind === 'rtsp-network' && late.error.stage === 'options', JSON.stringify(late));
});

test('resume reconnects to the running app with fresh keys and a fresh ping payload', async () => {
  const app = sim.apps()[1] ?? sim.apps()[0];
  assert.ok(app !== undefined);
  await quitRunningApp();
  const launched = await launchApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS });
  assert.ok(launched.ok, JSON.stringify(launched));
  const first = await negotiate(launched.value);
  assert.ok(first.ok, JSON.stringify(first));

  // Another app id on /resume still resumes what runs (control-plane.md §8.4).
  const resumed = await resumeApp(ctx, host, launchRequest(0), { timeoutMs: TIMEOUT_MS });
  assert.ok(resumed.ok, JSON.stringify(resumed));
  assert.equal(resumed.value.kind, 'resumed');
  assert.equal(resumed.value.rtsp.encrypted, true);
  assert.notEqual(bytesToHex(resumed.value.keys.rikey), bytesToHex(launched.value.keys.rikey));
  const second = await negotiate(resumed.value);
  assert.ok(second.ok, JSON.stringify(second));
  assertMatchesLaunchSession(second.value);
  assert.notEqual(second.value.pingPayload, first.value.pingPayload);
  assert.equal(sim.runningAppId(), app.id);
  assert.ok((await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS })).ok);
});

test('launching while an app runs is refused with the host\'s 400, in words a person can read', async () => {
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  await quitRunningApp();
  assert.ok((await launchApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS })).ok);
  const again = await launchApp(ctx, host, launchRequest(app.id), { timeoutMs: TIMEOUT_MS });
  assert.deepEqual(again, { ok: false, error: { kind: 'host-error', code: 400, message: 'An app is already running on this host' } });
  assert.equal(errorText(again.ok ? { kind: 'cancelled' } : again.error, { hostName: 'sim-pc' }), '“sim-pc” refused the request: An app is already running on this host (error 400).');
  assert.ok((await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS })).ok);
});

test('resuming with nothing running is refused with the host\'s 503', async () => {
  await quitRunningApp();
  assert.equal(sim.runningAppId(), 0);
  const resumed = await resumeApp(ctx, host, launchRequest(0), { timeoutMs: TIMEOUT_MS });
  assert.deepEqual(resumed, { ok: false, error: { kind: 'host-error', code: 503, message: 'No running app to resume' } });
});

test('an unknown app id is refused with the host\'s 404', async () => {
  await quitRunningApp();
  const launched = await launchApp(ctx, host, launchRequest(123456789), { timeoutMs: TIMEOUT_MS });
  assert.deepEqual(launched, { ok: false, error: { kind: 'host-error', code: 404, message: 'Failed to start the specified application' } });
});

test('a host that requires encryption gets video encryption too, and smaller packets for its prefix', async () => {
  const strict = await startHostSim({ httpPort: 0, identity: generateIdentity(), pin: PIN, encryptionMandatory: true, sendMedia: false });
  try {
    const unpinned: HostEndpoint = { address: '127.0.0.1', httpPort: strict.httpPort, httpsPort: strict.httpsPort, pinnedCertDer: null };
    const paired = await pairWithHost(ctx, unpinned, { pin: PIN, onStage: () => undefined, cancel: createCancelSource().signal, stepTimeoutMs: TIMEOUT_MS });
    assert.ok(paired.ok, JSON.stringify(paired));
    const strictHost = { ...unpinned, pinnedCertDer: paired.value.serverCertDer };
    const launched = await launchApp(ctx, strictHost, launchRequest(strict.apps()[0]?.id ?? 0), { timeoutMs: TIMEOUT_MS });
    assert.ok(launched.ok, JSON.stringify(launched));
    const config = await negotiateStream(
      { sockets: platform.sockets, clock: platform.clock, gcm },
      { hostAddress: '127.0.0.1', host: { appVersion: info.appVersion, codecModeSupport: info.codecModeSupport }, rtsp: launched.value.rtsp, settings: { ...settings, encryptVideo: false, encryptAudio: false }, keys: launched.value.keys },
    );
    assert.ok(config.ok, JSON.stringify(config));
    assert.deepEqual(config.value.encryption, { rtsp: true, enabledFlags: 7, control: true, video: true, audio: true });
    assert.equal(config.value.video.packetSizeBytes, 1360);
  } finally {
    await strict.close();
  }
});
