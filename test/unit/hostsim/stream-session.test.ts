// The simulator's stream sessions on virtual time (test/hostsim/stream-session.ts): pings that
// fix the client's endpoints and those that do not, the control connection matched by connect
// data or address, the start sequence, IDR and RFI requests, termination on app exit, and the
// ways a session ends when the client goes away or misbehaves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_TYPE, TERMINATION_GRACEFUL } from '../../hostsim/control-messages.ts';
import { parseEnetDatagram, type EnetCommand } from '../../hostsim/enet-wire.ts';
import type { StreamSession, StreamSessionEvent, UdpEndpoint } from '../../hostsim/stream-session.ts';
import { createTestControlClient, type TestControlClient } from './enet-test-client.ts';
import { createStreamHarness, type StreamHarness } from './stream-harness.ts';
import { announcedStreamFor, launchSessionFor } from './stream-fixtures.ts';

const KEY = Uint8Array.from(Buffer.from('f5ec232291c5b8b3b172680f0cfb0983', 'hex'));
const PAYLOAD = '3A046CB34C9B85EC';
const CONNECT_DATA = 1737934848;
const CLIENT = '127.0.0.1';
const VIDEO: UdpEndpoint = { address: CLIENT, port: 41315 };
const AUDIO: UdpEndpoint = { address: CLIENT, port: 37334 };
const CONTROL: UdpEndpoint = { address: CLIENT, port: 57042 };
const PING_TIMEOUT_MS = 10_000;

interface Rig {
  h: StreamHarness;
  session: StreamSession;
  client: TestControlClient;
  events: StreamSessionEvent[];
  /** Every test client by its control port; `client` is at CONTROL. */
  clients: Map<number, TestControlClient>;
}

function rig(values: { clientFeatureFlags?: number; dynamicRange?: number; clientAddress?: string | null; encryptionEnabled?: number } = {}): Rig {
  const h = createStreamHarness({ startMs: 1000, pingTimeoutMs: PING_TIMEOUT_MS });
  const session = h.core.startStream(
    launchSessionFor({ rikey: KEY, connectData: CONNECT_DATA, pingPayload: PAYLOAD }),
    announcedStreamFor({ clientFeatureFlags: values.clientFeatureFlags ?? 3, dynamicRange: values.dynamicRange ?? 0, encryptionEnabled: values.encryptionEnabled ?? 5 }),
    values.clientAddress === undefined ? CLIENT : values.clientAddress,
  );
  const events: StreamSessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  const client = createTestControlClient(KEY, ((values.encryptionEnabled ?? 5) & 1) === 0 ? 'legacy' : 'v2');
  return { h, session, client, events, clients: new Map([[CONTROL.port, client]]) };
}

function ping(counter: number, payload = PAYLOAD): Uint8Array {
  const out = Buffer.alloc(20);
  out.write(payload, 0, 'latin1');
  out.writeUInt32BE(counter, 16);
  return out;
}

/** Carries datagrams both ways between the host and the test clients until none has more. */
function pump(r: Rig, fromClient: Uint8Array[] = [], endpoint = CONTROL): void {
  let toHost = fromClient.map((bytes) => ({ from: endpoint, bytes }));
  for (let round = 0; round < 100; round += 1) {
    for (const d of toHost) r.h.core.receive('control', d.from, d.bytes);
    toHost = r.h.takeSent().flatMap((s) => {
      const client = s.port === 'control' ? r.clients.get(s.to.port) : undefined;
      return client === undefined ? [] : client.receive(s.bytes, r.h.nowMs()).map((bytes) => ({ from: s.to, bytes }));
    });
    if (toHost.length === 0) return;
  }
  assert.fail('host and clients kept talking');
}

function connect(r: Rig, data = CONNECT_DATA): void {
  pump(r, [r.client.connect(data, r.h.nowMs())]);
}

function start(r: Rig): void {
  r.h.core.receive('audio', AUDIO, ping(1));
  connect(r);
  r.h.core.receive('video', VIDEO, ping(1));
  pump(r, [r.client.message(CONTROL_TYPE.requestIdr, new Uint8Array(2), 0, r.h.nowMs()), r.client.message(CONTROL_TYPE.startB, new Uint8Array(1), 0, r.h.nowMs())]);
}

function hostCommands(r: Rig): EnetCommand[] {
  return r.h.sent
    .filter((s) => s.port === 'control')
    .flatMap((s) => {
      const p = parseEnetDatagram(s.bytes);
      assert.ok(p.ok);
      return p.datagram.commands;
    });
}

test('the first ping carrying the session payload fixes the client endpoint of its stream; later pings only count', () => {
  const r = rig();
  r.h.core.receive('video', VIDEO, ping(1));
  r.h.core.receive('video', { address: CLIENT, port: 1 }, ping(2));
  r.h.core.receive('video', VIDEO, ping(3));
  assert.deepEqual(r.session.videoTarget(), VIDEO);
  assert.equal(r.session.audioTarget(), null);
  assert.deepEqual(r.events, [{ kind: 'video-target', endpoint: VIDEO }]);
  assert.equal(r.h.core.stats().pingsAccepted, 1);
  assert.equal(r.h.core.stats().pingsAfterMatch, 1);
  assert.equal(r.h.core.stats().pingsUnmatched, 1);
});

const PING_CASES: Array<{ name: string; flags: number; bytes: Uint8Array; from: string; accepted: boolean }> = [
  { name: 'a session ping with trailing bytes', flags: 3, bytes: Buffer.concat([ping(1), Buffer.from('xyz')]), from: CLIENT, accepted: true },
  { name: 'another launch\'s payload', flags: 3, bytes: ping(1, '0123456789ABCDEF'), from: CLIENT, accepted: false },
  { name: 'the payload in lower case', flags: 3, bytes: ping(1, PAYLOAD.toLowerCase()), from: CLIENT, accepted: false },
  { name: 'a 19-byte datagram', flags: 3, bytes: ping(1).subarray(0, 19), from: CLIENT, accepted: false },
  { name: 'a 4-byte PING from a client with session ids', flags: 3, bytes: Buffer.from('PING'), from: CLIENT, accepted: false },
  { name: 'a 4-byte PING from a client without session ids', flags: 1, bytes: Buffer.from('PING'), from: CLIENT, accepted: true },
  { name: 'a 4-byte PING from another address', flags: 1, bytes: Buffer.from('PING'), from: '127.0.0.2', accepted: false },
  { name: '4 bytes that are not PING', flags: 1, bytes: Buffer.from('PONG'), from: CLIENT, accepted: false },
  { name: 'an empty datagram', flags: 1, bytes: new Uint8Array(0), from: CLIENT, accepted: false },
];

for (const c of PING_CASES) {
  test(`ping: ${c.name} is ${c.accepted ? 'accepted' : 'ignored and counted'}`, () => {
    const r = rig({ clientFeatureFlags: c.flags });
    r.h.core.receive('audio', { address: c.from, port: 4000 }, c.bytes);
    assert.deepEqual(r.session.audioTarget(), c.accepted ? { address: c.from, port: 4000 } : null);
    assert.equal(r.h.core.stats().pingsUnmatched, c.accepted ? 0 : 1);
  });
}

test('with no video ping within the ping timeout the session ends, and the connected client is dropped without a reason code', () => {
  const r = rig();
  r.h.core.receive('audio', AUDIO, ping(1));
  connect(r);
  r.h.takeSent();
  for (let t = 1100; t < 1000 + PING_TIMEOUT_MS; t += 100) {
    r.h.advanceTo(t);
    pump(r, [r.client.message(CONTROL_TYPE.periodicPing, Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0), 0, t)]);
  }
  assert.equal(r.session.state(), 'running');
  r.h.advanceTo(1000 + PING_TIMEOUT_MS);
  assert.deepEqual(r.session.endReason(), { kind: 'no-ping', stream: 'video' });
  const last = hostCommands(r).at(-1);
  assert.ok(last?.kind === 'disconnect' && last.unsequenced && !last.acknowledge);
  assert.equal(last.data, 0);
  assert.equal(r.client.messages().some((m) => m.type === CONTROL_TYPE.termination), false);
});

test('the control connection goes to the session whose connect data it carries; another is dropped at once', () => {
  const r = rig();
  const stranger = createTestControlClient(KEY);
  const other: UdpEndpoint = { address: CLIENT, port: 60000 };
  const sent = stranger.connect(CONNECT_DATA + 1, r.h.nowMs());
  r.h.core.receive('control', other, sent);
  const toStranger = () => r.h.takeSent().filter((s) => s.to.port === other.port);
  const acks = toStranger().flatMap((s) => stranger.receive(s.bytes, r.h.nowMs()));
  for (const a of acks) r.h.core.receive('control', other, a);
  for (const s of toStranger()) stranger.receive(s.bytes, r.h.nowMs());
  assert.equal(stranger.state(), 'disconnected');
  assert.equal(stranger.disconnectData(), 0);
  assert.equal(r.h.core.stats().control.rejectedPeers, 1);
  connect(r);
  assert.deepEqual(r.session.controlPeer(), CONTROL);
  assert.equal(r.session.state(), 'running');
});

test('a client without session ids is matched by its address, whatever connect data it sends', () => {
  const r = rig({ clientFeatureFlags: 1 });
  connect(r, 0);
  assert.deepEqual(r.session.controlPeer(), CONTROL);
  const far = rig({ clientFeatureFlags: 1, clientAddress: '10.0.0.9' });
  connect(far, CONNECT_DATA);
  assert.equal(far.session.controlPeer(), null);
  assert.equal(far.h.core.stats().control.rejectedPeers, 1);
});

test('the start sequence: the IDR request reaches the media sender, and the host sends its HDR state once video and control are up', () => {
  const r = rig();
  start(r);
  assert.deepEqual(
    r.events.map((e) => e.kind),
    ['audio-target', 'control-connected', 'video-target', 'hdr-mode', 'control-message', 'idr-request', 'control-message'],
  );
  const [hdr] = r.client.messages();
  assert.equal(hdr?.type, CONTROL_TYPE.hdrMode);
  assert.equal(Buffer.from(hdr.payload).toString('hex'), '00'.repeat(27));
  const sends = hostCommands(r).filter((c) => c.kind === 'send-reliable');
  assert.deepEqual(sends.map((c) => [c.channelId, c.acknowledge]), [[0, true]]);
});

test('a client asking for HDR gets HDR on with the simulated display\'s metadata', () => {
  const r = rig({ dynamicRange: 1 });
  start(r);
  const hdr = r.client.messages()[0];
  assert.equal(hdr?.payload[0], 1);
  assert.equal(Buffer.from(hdr.payload.subarray(1, 5)).toString('hex'), '488a0839');
});

test('an RFI request gives the media sender its frame range; one too short for its type is counted, not read', () => {
  const r = rig();
  start(r);
  const rfi = new Uint8Array(24);
  new DataView(rfi.buffer).setBigInt64(0, BigInt(100), true);
  new DataView(rfi.buffer).setBigInt64(8, BigInt(104), true);
  pump(r, [r.client.message(CONTROL_TYPE.invalidateReferenceFrames, rfi, 1, r.h.nowMs())]);
  pump(r, [r.client.message(CONTROL_TYPE.invalidateReferenceFrames, rfi.subarray(0, 15), 1, r.h.nowMs())]);
  assert.deepEqual(r.events.filter((e) => e.kind === 'rfi'), [{ kind: 'rfi', firstFrame: 100, lastFrame: 104 }]);
  assert.equal(r.h.core.stats().control.malformedMessages, 1);
  assert.equal(r.session.state(), 'running');
});

test('frame FEC status, which MCC sends unsequenced, reaches the session', () => {
  const r = rig();
  start(r);
  const status = Buffer.from('00000064' + '0010' + '000c' + '0002' + '0004' + '0002' + '0003' + '0001' + '32' + '00' + '01', 'hex');
  pump(r, [r.client.message(CONTROL_TYPE.frameFecStatus, status, 0, r.h.nowMs(), 'unsequenced')]);
  const last = r.events.at(-1);
  assert.ok(last?.kind === 'control-message' && last.message.kind === 'frame-fec-status');
  assert.equal(last.message.status.frameIndex, 100);
});

test('a client that did not enable control v2 talks with GFE\'s 16-byte nonce both ways', () => {
  const r = rig({ encryptionEnabled: 4 });
  start(r);
  assert.equal(r.events.filter((e) => e.kind === 'idr-request').length, 1);
  assert.equal(r.client.messages()[0]?.type, CONTROL_TYPE.hdrMode);
  assert.equal(r.session.state(), 'running');
});

test('when the app exits the host sends Sunshine\'s termination, reliable on channel 0, and then forgets the peer', () => {
  const r = rig();
  start(r);
  r.h.core.appExited();
  pump(r);
  const termination = r.client.messages().at(-1);
  assert.equal(termination?.type, CONTROL_TYPE.termination);
  assert.equal(Buffer.from(termination.payload).toString('hex'), '80030023');
  assert.equal(new DataView(termination.payload.buffer, termination.payload.byteOffset).getUint32(0), TERMINATION_GRACEFUL);
  const last = hostCommands(r).filter((c) => c.kind === 'send-reliable').at(-1);
  assert.equal(last?.channelId, 0);
  assert.equal(last.acknowledge, true);
  assert.deepEqual(r.session.endReason(), { kind: 'app-exited' });
  const before = r.h.core.stats().enet.strayDatagrams;
  pump(r, [r.client.disconnect(r.h.nowMs())]);
  assert.equal(r.h.core.stats().enet.strayDatagrams, before + 1);
});

test('a session whose client has not connected yet gets the termination as soon as it does', () => {
  const r = rig();
  r.h.core.appExited();
  assert.equal(r.session.state(), 'awaiting-client');
  connect(r);
  assert.deepEqual(r.client.messages().map((m) => m.type), [CONTROL_TYPE.termination]);
  assert.deepEqual(r.session.endReason(), { kind: 'app-exited' });
});

test('after the app exits, a connected client hears of it only once the other session\'s client has connected too', () => {
  const r = rig();
  start(r);
  const second = r.h.core.startStream(launchSessionFor({ id: 2, rikey: KEY, connectData: CONNECT_DATA + 1, pingPayload: 'FEDCBA9876543210' }), announcedStreamFor(), CLIENT);
  r.h.core.appExited();
  pump(r);
  assert.equal(r.client.messages().some((m) => m.type === CONTROL_TYPE.termination), false);
  const late = createTestControlClient(KEY);
  const lateEndpoint: UdpEndpoint = { address: CLIENT, port: 60001 };
  r.clients.set(lateEndpoint.port, late);
  pump(r, [late.connect(CONNECT_DATA + 1, r.h.nowMs())], lateEndpoint);
  assert.equal(r.client.messages().at(-1)?.type, CONTROL_TYPE.termination);
  assert.equal(late.messages().at(-1)?.type, CONTROL_TYPE.termination);
  assert.deepEqual([r.session.endReason(), second.endReason()], [{ kind: 'app-exited' }, { kind: 'app-exited' }]);
});

test('the simulator can end one stream with a code of its choosing, or drop it without one', () => {
  const r = rig();
  start(r);
  r.session.end({ kind: 'terminate', code: 0x800e9302 });
  pump(r);
  assert.equal(Buffer.from(r.client.messages().at(-1)?.payload ?? []).toString('hex'), '800e9302');
  assert.deepEqual(r.session.endReason(), { kind: 'terminated', code: 0x800e9302 });
  const d = rig();
  start(d);
  d.session.end({ kind: 'drop' });
  pump(d);
  assert.equal(d.client.state(), 'disconnected');
  assert.equal(d.client.messages().some((m) => m.type === CONTROL_TYPE.termination), false);
  assert.deepEqual(d.session.endReason(), { kind: 'dropped' });
  assert.equal(d.session.sendVideo(new Uint8Array(10)), false);
});

test('a client that vanishes is dropped by ENet once the host\'s ping goes unanswered for its minimum timeout', () => {
  const r = rig();
  start(r);
  const goneAt = r.h.nowMs();
  r.h.advanceTo(goneAt + PING_TIMEOUT_MS);
  assert.deepEqual(r.session.endReason(), { kind: 'control', reason: 'enet-timeout' });
  const pings = hostCommands(r).filter((c) => c.kind === 'ping');
  assert.ok(pings.length >= 2, 'the host pings and retries');
  const endedAt = r.h.sent.at(-1)?.atMs ?? 0;
  assert.ok(endedAt - goneAt >= 5000 && endedAt - goneAt < 6000, `ended after ${endedAt - goneAt} ms`);
});

test('a client that answers ENet but sends no control message for the ping timeout is dropped without a reason code', () => {
  const r = rig();
  start(r);
  const quietFrom = r.h.nowMs();
  for (let t = quietFrom + 100; t <= quietFrom + PING_TIMEOUT_MS + 100; t += 100) {
    r.h.advanceTo(t);
    pump(r);
  }
  assert.deepEqual(r.session.endReason(), { kind: 'control', reason: 'control-timeout' });
  assert.equal(r.client.state(), 'disconnected');
  assert.equal(r.client.messages().some((m) => m.type === CONTROL_TYPE.termination), false);
});

test('a message whose tag does not verify stops the session; a plain one is dropped and counted', () => {
  const r = rig();
  start(r);
  pump(r, [r.client.raw(Uint8Array.of(0x00, 0x02, 4, 0, 0, 0, 0, 0, 0, 0), 0, r.h.nowMs())]);
  assert.equal(r.h.core.stats().control.plaintextDropped, 1);
  assert.equal(r.session.state(), 'running');
  const forged = createTestControlClient(new Uint8Array(16)).message(CONTROL_TYPE.periodicPing, new Uint8Array(8), 0, 0);
  const envelope = parseEnetDatagram(forged);
  assert.ok(envelope.ok && envelope.datagram.commands[0]?.kind === 'send-reliable');
  pump(r, [r.client.raw(envelope.datagram.commands[0].data, 0, r.h.nowMs())]);
  assert.deepEqual(r.session.endReason(), { kind: 'control', reason: 'auth-failed' });
  assert.equal(r.client.state(), 'disconnected');
});

test('media go out from the stream\'s own port to the endpoint its ping came from', () => {
  const r = rig();
  assert.equal(r.session.sendVideo(Uint8Array.of(1)), false);
  start(r);
  r.h.takeSent();
  assert.ok(r.session.sendVideo(Uint8Array.of(1, 2)));
  assert.ok(r.session.sendAudio(Uint8Array.of(3)));
  assert.deepEqual(r.h.takeSent().map((s) => [s.port, s.to, [...s.bytes]]), [
    ['video', VIDEO, [1, 2]],
    ['audio', AUDIO, [3]],
  ]);
});
