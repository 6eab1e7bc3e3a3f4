// The simulator's stream bring-up over real UDP on loopback, after a real launch and the real
// encrypted RTSP handshake of our client (src/session/): a compact ENet + control client
// (test/unit/hostsim/enet-test-client.ts, written only as a protocol check) connects with the
// negotiated connect data, pings from its own video and audio sockets, and runs the start
// sequence; the host's stream session must see all of it, raise the IDR request for the media
// sender, send Sunshine's termination on /cancel, and end a session whose client vanishes.
// Needs build/wasm/core.wasm (launch and RTSP go through the core's TLS and AES-GCM).
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { loadOrCreateIdentity } from '../../../src/app/identity/identity.ts';
import { pairWithHost } from '../../../src/app/pairing/pairing.ts';
import { createCancelSource } from '../../../src/lib/cancel.ts';
import type { ServerInfo } from '../../../src/nvhttp/serverinfo.ts';
import type { HostEndpoint, NvHttpContext } from '../../../src/nvhttp/nvhttp-client.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import type { Platform } from '../../../src/platform/platform.ts';
import { launchApp, quitApp, type LaunchRequest } from '../../../src/session/launch.ts';
import { negotiateStream } from '../../../src/session/rtsp-client.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamConfig } from '../../../src/session/stream-config.ts';
import { CONTROL_TYPE } from '../../hostsim/control-messages.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import type { StreamSession, StreamSessionEvent } from '../../hostsim/stream-session.ts';
import { createTestControlClient, type TestControlClient } from '../../unit/hostsim/enet-test-client.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url);
const PIN = '5173';
const TIMEOUT_MS = 10_000;
/** Short, so that the vanished-client test ends in seconds; Sunshine's default is 10 s. */
const PING_TIMEOUT_MS = 1500;
const LOCALHOST = '127.0.0.1';

let stateDir = '';
let platform: Platform;
let gcm: Aes128Gcm;
let sim: HostSim;
let host: HostEndpoint;
let info: ServerInfo;
let ctx: NvHttpContext;
const open: Link[] = [];

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'stream-session-it-'));
  platform = createNodePlatform({ stateDir, coreWasmPath: CORE_WASM.pathname });
  const loaded = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!loaded.ok) throw new Error(`core.wasm: ${loaded.error.detail} (build it with bash native/build.sh wasm)`);
  gcm = createAes128Gcm(loaded.value);
  const id = await loadOrCreateIdentity(platform, loaded.value);
  if (!id.ok) throw new Error(JSON.stringify(id.error));
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-pc', pin: PIN, streamPingTimeoutMs: PING_TIMEOUT_MS, sendMedia: false });
  ctx = { platform, core: loaded.value, identity: id.value };
  const unpinned: HostEndpoint = { address: LOCALHOST, httpPort: sim.httpPort, httpsPort: sim.httpsPort, pinnedCertDer: null };
  const paired = await pairWithHost(ctx, unpinned, { pin: PIN, onStage: () => undefined, cancel: createCancelSource().signal, stepTimeoutMs: TIMEOUT_MS });
  if (!paired.ok) throw new Error(`pairing: ${JSON.stringify(paired.error)}`);
  host = { ...unpinned, pinnedCertDer: paired.value.serverCertDer };
  info = paired.value.serverInfo;
});

afterEach(() => {
  for (const link of open.splice(0)) link.close();
});

after(async () => {
  // `before` may have failed before the simulator started.
  await (sim as HostSim | undefined)?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const LAUNCH: LaunchRequest = { appId: 0, width: 1280, height: 720, fps: 60, optimizeGameSettings: false, playAudioOnHost: false, audioChannels: 2, gamepadMask: 1, hdr: false, persistGamepads: false };

/** A launched app and its negotiated stream, and the host's session for it. */
async function launchAndNegotiate(): Promise<{ config: StreamConfig; session: StreamSession }> {
  assert.ok((await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS })).ok);
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const launched = await launchApp(ctx, host, { ...LAUNCH, appId: app.id }, { timeoutMs: TIMEOUT_MS });
  assert.ok(launched.ok, JSON.stringify(launched));
  const config = await negotiateStream(
    { sockets: platform.sockets, clock: platform.clock, gcm },
    {
      hostAddress: LOCALHOST,
      host: { appVersion: info.appVersion, codecModeSupport: info.codecModeSupport },
      rtsp: launched.value.rtsp,
      settings: { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000, videoFormats: VideoFormat.H264 },
      keys: launched.value.keys,
    },
  );
  assert.ok(config.ok, JSON.stringify(config));
  const session = sim.streams.sessions().at(-1);
  assert.ok(session !== undefined && session.launch.id === sim.launchSession()?.id, 'ANNOUNCE started a stream session');
  return { config: config.value, session };
}

interface Link {
  client: TestControlClient;
  control: Socket;
  video: Socket;
  audio: Socket;
  /** Host datagrams that reached the video socket. */
  videoReceived: Uint8Array[];
  /** Answer the host (acknowledgements) and keep the 100 ms periodic ping going. */
  setAlive(alive: boolean): void;
  send(datagram: Uint8Array): void;
  ping(stream: 'video' | 'audio', counter: number): void;
  close(): void;
}

async function bindLoopback(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, LOCALHOST, () => resolve()));
  return socket;
}

/** The client side, as MCC starts it (data-plane.md §1.3): audio ping, ENet connect, video ping. */
async function openLink(config: StreamConfig): Promise<Link> {
  const client = createTestControlClient(config.keys.rikey);
  const [control, video, audio] = [await bindLoopback(), await bindLoopback(), await bindLoopback()];
  let alive = true;
  let pinger: NodeJS.Timeout | null = null;
  const videoReceived: Uint8Array[] = [];
  const send = (datagram: Uint8Array): void => control.send(datagram, config.ports.control, LOCALHOST);
  control.on('message', (bytes: Buffer) => {
    const acks = client.receive(new Uint8Array(bytes), performance.now());
    if (alive) for (const a of acks) send(a);
  });
  video.on('message', (bytes: Buffer) => videoReceived.push(new Uint8Array(bytes)));
  const ping = (stream: 'video' | 'audio', counter: number): void => {
    const datagram = Buffer.alloc(20);
    datagram.write(config.pingPayload ?? '', 0, 'latin1');
    datagram.writeUInt32BE(counter, 16);
    (stream === 'video' ? video : audio).send(datagram, stream === 'video' ? config.ports.video : config.ports.audio, LOCALHOST);
  };
  const link: Link = {
    client,
    control,
    video,
    audio,
    videoReceived,
    setAlive(next) {
      alive = next;
      if (pinger !== null) clearInterval(pinger);
      pinger = null;
      if (next) pinger = setInterval(() => client.state() === 'connected' && send(client.message(CONTROL_TYPE.periodicPing, Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0), 0, performance.now())), PERIODIC_PING_MS);
    },
    send,
    ping,
    close() {
      link.setAlive(false);
      for (const s of [control, video, audio]) s.close();
    },
  };
  open.push(link);
  ping('audio', 1);
  send(client.connect(config.control.connectData, performance.now()));
  await until(() => client.state() === 'connected', 'the ENet connection');
  ping('video', 1);
  link.setAlive(true);
  return link;
}

/** Resolves once `condition` holds, checking on every datagram and session event; fails after TIMEOUT_MS. */
function until(condition: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (!condition()) return;
      clearInterval(check);
      clearTimeout(limit);
      resolve();
    }, CHECK_INTERVAL_MS);
    const limit = setTimeout(() => {
      clearInterval(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, TIMEOUT_MS);
  });
}

function recorded(session: StreamSession): StreamSessionEvent[] {
  return [...session.events()];
}

test('after launch and RTSP the client connects over ENet, its pings give the host its video and audio endpoints, and the host sends its HDR state', async () => {
  const { config, session } = await launchAndNegotiate();
  const link = await openLink(config);
  await until(() => link.client.messages().length > 0, 'the HDR message');
  assert.deepEqual(link.client.verifyConnect(), { peerId: 0, mtu: 900, channelCount: 48, sessionId: link.client.verifyConnect()?.sessionId ?? -1 });
  assert.deepEqual(session.controlPeer(), { address: LOCALHOST, port: link.control.address().port });
  assert.deepEqual(session.audioTarget(), { address: LOCALHOST, port: link.audio.address().port });
  assert.deepEqual(session.videoTarget(), { address: LOCALHOST, port: link.video.address().port });
  const [hdr] = link.client.messages();
  assert.equal(hdr?.type, CONTROL_TYPE.hdrMode);
  assert.equal(Buffer.from(hdr.payload).toString('hex'), '00'.repeat(27));
  // The media sender's datagrams leave from the host's video port to the pinging socket.
  assert.ok(session.sendVideo(Uint8Array.of(0x90, 1, 2, 3)));
  await until(() => link.videoReceived.length === 1, 'a video datagram');
  assert.equal(session.state(), 'running');
});

test('the start sequence reaches the host, and its IDR request becomes an event for the media sender', async () => {
  const { config, session } = await launchAndNegotiate();
  const link = await openLink(config);
  const idr = new Promise<void>((resolve) => session.onEvent((e) => e.kind === 'idr-request' && resolve()));
  link.send(link.client.message(CONTROL_TYPE.requestIdr, Uint8Array.of(0, 0), 0, performance.now()));
  link.send(link.client.message(CONTROL_TYPE.startB, Uint8Array.of(0), 0, performance.now()));
  await idr;
  await until(() => recorded(session).some((e) => e.kind === 'control-message' && e.message.kind === 'start-b'), 'Start B');
  const later = new Promise<void>((resolve) => session.onEvent((e) => e.kind === 'idr-request' && resolve()));
  link.send(link.client.message(CONTROL_TYPE.requestIdr, Uint8Array.of(0, 0), 1, performance.now()));
  await later;
  assert.equal(recorded(session).filter((e) => e.kind === 'idr-request').length, 2);
  assert.equal(sim.streams.stats().control.plaintextDropped, 0);
});

test('/cancel sends the client Sunshine\'s termination message with its graceful reason code', async () => {
  const { config, session } = await launchAndNegotiate();
  const link = await openLink(config);
  await until(() => link.client.messages().length > 0, 'the HDR message');
  assert.ok((await quitApp(ctx, host, { timeoutMs: TIMEOUT_MS })).ok);
  await until(() => link.client.messages().some((m) => m.type === CONTROL_TYPE.termination), 'the termination message');
  const termination = link.client.messages().find((m) => m.type === CONTROL_TYPE.termination);
  assert.equal(Buffer.from(termination?.payload ?? []).toString('hex'), '80030023');
  const carrier = link.client.commands().find((c) => c.command === 6 && c.reliableSequenceNumber === 2);
  assert.deepEqual([carrier?.channelId, carrier?.flags], [0, 0x80]);
  assert.deepEqual(session.endReason(), { kind: 'app-exited' });
});

test('a client that vanishes after the start is dropped when the ping timeout passes, with no reason code', async () => {
  const { config, session } = await launchAndNegotiate();
  const link = await openLink(config);
  await until(() => link.client.messages().length > 0, 'the HDR message');
  link.setAlive(false);
  await until(() => session.state() === 'ended', 'the end of the session');
  assert.deepEqual(session.endReason(), { kind: 'control', reason: 'control-timeout' });
  await until(() => link.client.state() === 'disconnected', 'the host\'s DISCONNECT');
  assert.equal(link.client.disconnectData(), 0);
  assert.equal(link.client.messages().some((m) => m.type === CONTROL_TYPE.termination), false);
  assert.equal(session.sendVideo(Uint8Array.of(1)), false);
});

/** MCC's control ping period (data-plane.md §1.5). */
const PERIODIC_PING_MS = 100;
const CHECK_INTERVAL_MS = 10;
