// The host simulator's RTSP port (test/hostsim/rtsp-*.ts) on loopback. First the strongest
// check of its fidelity: fed the real client's encrypted frames of each recorded session, with
// that session's launch key and values, it answers with byte-identical frames to the real
// Sunshine's. Then our client against it in plaintext, and Sunshine's refusals.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm } from '../../../wasm/gcm.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import { negotiateStream } from '../../../src/session/rtsp-client.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';
import type { LaunchSession } from '../../hostsim/launch-control.ts';
import { createRtspServer, type EncryptionMode, type RtspServer, type RtspSimEvent } from '../../hostsim/rtsp-server.ts';
import { completeRequest, openHostFrame, sealClientFrame } from '../../hostsim/rtsp-wire.ts';
import { CAPTURE_CASES, loadCapture } from '../../unit/session/capture-fixture.ts';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

function launchSession(overrides: Partial<LaunchSession> = {}): LaunchSession {
  const iv = new Uint8Array(16);
  iv.set([0xff, 0xff, 0xff, 0xfb]);
  return {
    id: 1,
    uniqueId: '0123456789ABCDEF',
    appId: 881448767,
    resume: false,
    rikey: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i),
    rikeyId: -5,
    iv,
    width: 1280,
    height: 720,
    fps: 60,
    sops: false,
    hostAudio: false,
    surroundAudioInfo: 196610,
    surroundParams: '',
    continuousAudio: false,
    gcmap: 1,
    hdr: false,
    encryptedRtsp: true,
    avPingPayload: '0011223344556677',
    controlConnectData: 1234567,
    clientCertPem: '',
    ...overrides,
  };
}

interface Running {
  rtsp: RtspServer;
  port: number;
  events: RtspSimEvent[];
}

async function start(session: LaunchSession | null, options: { encryptionMode?: EncryptionMode; featureFlags?: number; codecModeSupport?: number } = {}): Promise<Running> {
  const events: RtspSimEvent[] = [];
  const rtsp = createRtspServer({
    launchSession: () => session,
    encryptionMode: options.encryptionMode ?? 'never',
    codecModeSupport: options.codecModeSupport ?? 0x101,
    featureFlags: options.featureFlags ?? 2,
    streamPorts: () => ({ video: 47998, control: 47999, audio: 48000 }),
    onEvent: (e) => events.push(e),
  });
  servers.push(rtsp.server);
  await new Promise<void>((resolve) => rtsp.server.listen(0, '127.0.0.1', resolve));
  const address = rtsp.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { rtsp, port: address.port, events };
}

/** One connection: write `bytes`, read until the simulator closes. */
function exchange(port: number, bytes: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

const plain = (text: string): Buffer => Buffer.from(text, 'latin1');

for (const c of CAPTURE_CASES) {
  test(`fed the real client's frames of ${c.folder}, the simulator answers with Sunshine's exact frames`, async () => {
    const capture = loadCapture(c);
    const session = launchSession({
      rikey: capture.keys.rikey,
      rikeyId: capture.keys.rikeyId,
      iv: capture.keys.remoteInputIv,
      avPingPayload: capture.session.pingPayload,
      controlConnectData: capture.session.connectData,
    });
    const sim = await start(session, {
      featureFlags: capture.session.describeFeatureFlags,
      encryptionMode: capture.session.videoEncrypted ? 'opportunistic' : 'never',
      codecModeSupport: capture.codecModeSupport,
    });
    for (const [i, conv] of capture.conversations.entries()) {
      const reply = await exchange(sim.port, conv.clientToServer);
      assert.equal(reply.toString('hex'), Buffer.from(conv.serverToClient).toString('hex'), `reply ${i + 1}: ${openHostFrame(capture.keys.rikey, reply)?.toString('latin1') ?? '(unreadable)'}`);
    }
    const streams = sim.rtsp.streams();
    assert.equal(streams.length, 1);
    const stream = streams[0];
    assert.ok(stream !== undefined);
    assert.deepEqual(
      [stream.width, stream.height, stream.fps, stream.packetSizeBytes, stream.maximumBitrateKbps, stream.configuredBitrateKbps, stream.codec, stream.encryptionEnabled, stream.encryptVideo, stream.encryptAudio],
      [1280, 720, 60, capture.session.packetSizeAnnounced, 2400, 3000, capture.session.codec === 'HEVC' ? 'hevc' : 'h264', capture.session.encryptionEnabled, capture.session.videoEncrypted, true],
    );
    assert.deepEqual([stream.clientFeatureFlags, stream.controlProtocol, stream.minRequiredFecPackets, stream.audioChannels, stream.audioPacketDurationMs, stream.highQualityAudio], [3, 13, 2, 2, 5, false]);
  });
}

test('our client negotiates with the simulator in plaintext when the launch had no corever', async () => {
  const session = launchSession({ encryptedRtsp: false });
  const sim = await start(session);
  const platform = createNodePlatform({ stateDir: '/nonexistent-unused' });
  const core = await loadCore(new Uint8Array(readFileSync(new URL('../../../build/wasm/core.wasm', import.meta.url))));
  assert.ok(core.ok);
  const r = await negotiateStream(
    { sockets: platform.sockets, clock: platform.clock, gcm: createAes128Gcm(core.value) },
    {
      hostAddress: '127.0.0.1',
      host: { appVersion: '7.1.431.-1', codecModeSupport: 0x101 },
      rtsp: { url: `rtsp://127.0.0.1:${sim.port}`, port: sim.port, encrypted: false },
      settings: { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 20_000 },
      keys: { rikey: session.rikey, rikeyId: session.rikeyId, remoteInputIv: session.iv },
    },
  );
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.pingPayload, '0011223344556677');
  assert.equal(r.value.control.connectData, 1234567);
  assert.equal(r.value.encryption.rtsp, false);
  assert.equal(sim.rtsp.streams()[0]?.highQualityAudio, true, 'Host named the PC, not 0.0.0.0');
  assert.deepEqual(sim.events.filter((e) => e.kind === 'rtsp-request').map((e) => (e.kind === 'rtsp-request' ? [e.method, e.encrypted, e.status] : [])), [
    ['OPTIONS', false, 200],
    ['DESCRIBE', false, 200],
    ['SETUP', false, 200],
    ['SETUP', false, 200],
    ['SETUP', false, 200],
    ['ANNOUNCE', false, 200],
    ['PLAY', false, 200],
  ]);
});

test('with no launch pending every connection is closed unanswered', async () => {
  const sim = await start(null);
  assert.equal((await exchange(sim.port, plain('OPTIONS rtsp://0.0.0.0:48010 RTSP/1.0\r\nCSeq: 1\r\n\r\n'))).length, 0);
  assert.deepEqual(sim.events, [{ kind: 'rtsp-dropped', reason: 'no-launch-session' }]);
});

test('plaintext on an encrypted session gets an encrypted 400; a forged frame gets nothing', async () => {
  const session = launchSession();
  const sim = await start(session);
  const refused = await exchange(sim.port, plain('OPTIONS rtsp://0.0.0.0:48010 RTSP/1.0\r\nCSeq: 1\r\n\r\n'));
  assert.equal(openHostFrame(session.rikey, refused)?.toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\n\r\n');
  const forged = sealClientFrame(new Uint8Array(16), 1, plain('OPTIONS / RTSP/1.0\r\nCSeq: 1\r\n\r\n'));
  assert.equal((await exchange(sim.port, forged)).length, 0);
  // The reply counter went on from the 400: the next reply is frame 2.
  const ok = await exchange(sim.port, sealClientFrame(session.rikey, 7, plain('OPTIONS / RTSP/1.0\r\nCSeq: 1\r\n\r\n')));
  assert.equal(ok.readUInt32BE(4), 2);
  assert.equal(openHostFrame(session.rikey, ok)?.toString('latin1'), 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n');
});

test('a request that does not fit the 2048-byte buffer gets 400', async () => {
  const session = launchSession({ encryptedRtsp: false });
  const sim = await start(session);
  const big = plain(`ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\nContent-length: 2100\r\n\r\n${'a'.repeat(2100)}`);
  assert.equal((await exchange(sim.port, big)).toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\n\r\n');
});

test('Sunshine\'s answers to a bad SETUP and to ANNOUNCEs it cannot start', async () => {
  const session = launchSession({ encryptedRtsp: false });
  const announce = (sdp: string): Buffer => plain(`ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\nContent-length: ${sdp.length}\r\n\r\n${sdp}`);
  const required = [
    'x-nv-video[0].clientViewportWd:1280',
    'x-nv-video[0].clientViewportHt:720',
    'x-nv-video[0].maxFPS:60',
    'x-nv-video[0].packetSize:1392',
    'x-nv-vqos[0].bw.maximumBitrateKbps:2400',
    'x-nv-video[0].videoEncoderSlicesPerFrame:1',
    'x-nv-video[0].maxNumReferenceFrames:1',
    'x-nv-audio.surround.numChannels:2',
    'x-nv-audio.surround.channelMask:3',
    'x-nv-audio.surround.AudioQuality:0',
  ];
  const sdp = (lines: string[]): string => `v=0\r\n${lines.map((l) => `a=${l} \r\n`).join('')}t=0 0\r\n`;

  const h264Only = await start(session, { codecModeSupport: 0x1 });
  assert.equal((await exchange(h264Only.port, plain('SETUP streamid=mic/0/0 RTSP/1.0\r\nCSeq: 3\r\n\r\n'))).toString('latin1'), 'RTSP/1.0 404 NOT FOUND\r\nCSeq: 3\r\n\r\n');
  assert.equal((await exchange(h264Only.port, announce(sdp(required.slice(1))))).toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\nCSeq: 6\r\n\r\n');
  assert.equal((await exchange(h264Only.port, announce(sdp([...required, 'x-nv-vqos[0].bitStreamFormat:1'])))).toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\nCSeq: 6\r\n\r\n');
  assert.equal((await exchange(h264Only.port, announce(sdp(required)))).toString('latin1'), 'RTSP/1.0 200 OK\r\nCSeq: 6\r\n\r\n');
  assert.equal(h264Only.rtsp.streams().length, 1);
  const describeBody = (await exchange(h264Only.port, plain('DESCRIBE / RTSP/1.0\r\nCSeq: 2\r\n\r\n'))).toString('latin1');
  assert.ok(!describeBody.includes('AAAAAU') && describeBody.includes('encryptionSupported:5\n'), describeBody);

  const strict = await start(session, { encryptionMode: 'mandatory' });
  assert.ok((await exchange(strict.port, plain('DESCRIBE / RTSP/1.0\r\nCSeq: 2\r\n\r\n'))).toString('latin1').includes('a=x-ss-general.encryptionSupported:7\na=x-ss-general.encryptionRequested:7\n'));
  assert.equal((await exchange(strict.port, announce(sdp([...required, 'x-ss-general.encryptionEnabled:5'])))).toString('latin1'), 'RTSP/1.0 403 Forbidden\r\nCSeq: 6\r\n\r\n');
  assert.equal((await exchange(strict.port, announce(sdp([...required, 'x-ss-general.encryptionEnabled:7'])))).toString('latin1'), 'RTSP/1.0 200 OK\r\nCSeq: 6\r\n\r\n');
});

test('a body is awaited only when the header is spelled exactly Content-length', async () => {
  const session = launchSession({ encryptedRtsp: false });
  const sim = await start(session);
  // With "Content-Length" the head alone is the request: ANNOUNCE has no attributes, so 400.
  const otherSpelling = await exchange(sim.port, plain('ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\nContent-Length: 5\r\n\r\n'));
  assert.equal(otherSpelling.toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\nCSeq: 6\r\n\r\n');
  // With "Content-length" the request is whole only once the body is.
  const head = 'ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\nContent-length: 5\r\n\r\n';
  assert.equal(completeRequest(plain(`${head}v=`), false, null), null);
  const whole = completeRequest(plain(`${head}v=0\r\n`), false, null);
  assert.ok(whole !== null && whole.kind === 'request' && whole.request.body === 'v=0\r\n');
  const reply = await exchange(sim.port, plain(`${head}v=0\r\n`));
  assert.equal(reply.toString('latin1'), 'RTSP/1.0 400 BAD REQUEST\r\nCSeq: 6\r\n\r\n');
});
