// The simulated host's ENet endpoint (test/hostsim/enet-host.ts) on virtual time: the connect
// handshake and what it grants, acknowledgements, retransmission and peer timeout, pings and
// the bandwidth epoch, fragments both ways, the ways a peer leaves, and seeded hostile input
// that must only ever be taken or dropped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnetIncoming } from '../../hostsim/enet-incoming.ts';
import { createEnetHost, DEFAULT_ENET_HOST_CONFIG, type EnetHost, type EnetHostConfig, type EnetHostEvent } from '../../hostsim/enet-host.ts';
import { encodeEnetDatagram, parseEnetDatagram, type EnetCommand, type EnetCommandBody } from '../../hostsim/enet-wire.ts';

const CLIENT = { address: '127.0.0.1', port: 50000 };
const CONNECT_ID = 0x24c8a0c1;

interface Rig {
  host: EnetHost;
  now: number;
  /** Host datagrams to the client since the last call, parsed. */
  out(): EnetCommand[][];
  events(): EnetHostEvent[];
  /** A datagram from the client with these commands, sent time included. */
  send(commands: EnetCommand[], options?: { peerId?: number; sessionId?: number; sentTime?: number | null; from?: typeof CLIENT }): void;
}

function rig(config: Partial<EnetHostConfig> = {}): Rig {
  const host = createEnetHost({ ...DEFAULT_ENET_HOST_CONFIG, ...config }, 0);
  const r: Rig = {
    host,
    now: 0,
    out() {
      const all: EnetCommand[][] = [];
      for (let t = host.pollTransmit(); t !== null; t = host.pollTransmit()) {
        const p = parseEnetDatagram(t.bytes);
        assert.ok(p.ok);
        all.push(p.datagram.commands);
      }
      return all;
    },
    events() {
      const all: EnetHostEvent[] = [];
      for (let e = host.pollEvent(); e !== null; e = host.pollEvent()) all.push(e);
      return all;
    },
    send(commands, options = {}) {
      const sentTime = options.sentTime === undefined ? r.now % 0x10000 : options.sentTime;
      host.receive(options.from ?? CLIENT, encodeEnetDatagram({ peerId: options.peerId ?? 0, sessionId: options.sessionId ?? 0, sentTime }, commands), r.now);
    },
  };
  return r;
}

const cmd = (channelId: number, reliableSequenceNumber: number, body: EnetCommandBody, acknowledge = true): EnetCommand => ({ acknowledge, unsequenced: false, channelId, reliableSequenceNumber, ...body });

function connectCommand(values: { mtu?: number; channelCount?: number; connectId?: number; data?: number } = {}): EnetCommand {
  return cmd(0xff, 1, {
    kind: 'connect',
    outgoingPeerId: 0,
    incomingSessionId: 0xff,
    outgoingSessionId: 0xff,
    mtu: values.mtu ?? 900,
    windowSize: 65536,
    channelCount: values.channelCount ?? 48,
    incomingBandwidth: 0,
    outgoingBandwidth: 0,
    packetThrottleInterval: 5000,
    packetThrottleAcceleration: 2,
    packetThrottleDeceleration: 2,
    connectId: values.connectId ?? CONNECT_ID,
    data: values.data ?? 7,
  });
}

/** CONNECT, then the acknowledgement of VERIFY_CONNECT: the peer is connected. */
function connected(config: Partial<EnetHostConfig> = {}): Rig {
  const r = rig(config);
  r.send([connectCommand()], { peerId: 0xfff });
  const verify = r.out().flat().find((c) => c.kind === 'verify-connect');
  assert.ok(verify !== undefined);
  r.now = 1;
  r.send([ack(verify, 0)]);
  assert.deepEqual(r.events(), [{ kind: 'connect', peerId: 0, address: CLIENT, data: 7, channelCount: 48 }]);
  return r;
}

const ack = (c: EnetCommand, sentTime: number): EnetCommand => cmd(c.channelId, c.reliableSequenceNumber, { kind: 'acknowledge', receivedReliableSequenceNumber: c.reliableSequenceNumber, receivedSentTime: sentTime }, false);

const GRANTS: Array<{ name: string; mtu: number; channels: number; limit?: number; expected: { mtu: number; channels: number } | null }> = [
  { name: 'MCC\'s CONNECT', mtu: 900, channels: 48, expected: { mtu: 900, channels: 48 } },
  { name: 'a larger MTU (upstream ENet\'s 1400)', mtu: 1400, channels: 48, expected: { mtu: 900, channels: 48 } },
  { name: 'an MTU under ENet\'s minimum', mtu: 100, channels: 1, expected: { mtu: 576, channels: 1 } },
  { name: 'more channels than the host allows', mtu: 900, channels: 255, limit: 32, expected: { mtu: 900, channels: 32 } },
  { name: 'no channel', mtu: 900, channels: 0, expected: null },
  { name: '256 channels', mtu: 900, channels: 256, expected: null },
];

for (const g of GRANTS) {
  test(`connect: ${g.name} is ${g.expected === null ? 'refused' : `granted MTU ${g.expected.mtu} and ${g.expected.channels} channels`}`, () => {
    const r = rig(g.limit === undefined ? {} : { channelLimit: g.limit });
    r.send([connectCommand({ mtu: g.mtu, channelCount: g.channels })], { peerId: 0xfff });
    const verify = r.out().flat().find((c) => c.kind === 'verify-connect');
    if (g.expected === null) {
      assert.equal(verify, undefined);
      assert.equal(r.host.stats().rejectedConnects, 1);
      return;
    }
    assert.ok(verify?.kind === 'verify-connect');
    assert.deepEqual({ mtu: verify.mtu, channels: verify.channelCount, window: verify.windowSize, connectId: verify.connectId, seq: verify.reliableSequenceNumber, peer: verify.outgoingPeerId }, { ...g.expected, window: 65536, connectId: CONNECT_ID, seq: 1, peer: 0 });
  });
}

test('a retransmitted CONNECT does not take a second slot, and a full host refuses a new one', () => {
  const r = rig({ peerLimit: 1 });
  r.send([connectCommand()], { peerId: 0xfff });
  r.send([connectCommand()], { peerId: 0xfff });
  r.send([connectCommand({ connectId: 1 })], { peerId: 0xfff, from: { address: '127.0.0.1', port: 50001 } });
  assert.equal(r.out().flat().filter((c) => c.kind === 'verify-connect').length, 1);
  assert.equal(r.host.stats().rejectedConnects, 2);
});

test('every reliable command is acknowledged with its channel, number and the sent time it came with', () => {
  const r = connected();
  r.now = 300;
  r.send([cmd(0, 1, { kind: 'send-reliable', data: Uint8Array.of(1) }), cmd(3, 1, { kind: 'send-reliable', data: Uint8Array.of(2) }), cmd(0xff, 2, { kind: 'ping' })], { sentTime: 0xabcd });
  const acks = r.out().flat().filter((c) => c.kind === 'acknowledge');
  assert.deepEqual(acks.map((c) => (c.kind === 'acknowledge' ? [c.channelId, c.receivedReliableSequenceNumber, c.receivedSentTime] : [])), [[0, 1, 0xabcd], [3, 1, 0xabcd], [0xff, 2, 0xabcd]]);
  assert.deepEqual(r.events().map((e) => (e.kind === 'receive' ? [e.channelId, [...e.data]] : e.kind)), [[0, [1]], [3, [2]]]);
});

test('a reliable command in a datagram without a sent time is not acknowledged and ends the datagram', () => {
  const r = connected();
  r.send([cmd(0, 1, { kind: 'send-reliable', data: Uint8Array.of(1) }), cmd(0, 2, { kind: 'send-reliable', data: Uint8Array.of(2) })], { sentTime: null });
  assert.deepEqual(r.out().flat().filter((c) => c.kind === 'acknowledge'), []);
  assert.equal(r.events().length, 1);
  assert.equal(r.host.stats().truncatedDatagrams, 1);
});

test('datagrams for another slot, address or connection are stray; unreadable ones malformed', () => {
  const r = connected();
  const ping = [cmd(0xff, 2, { kind: 'ping' })];
  r.send(ping, { peerId: 1 });
  r.send(ping, { peerId: 200 });
  r.send(ping, { from: { address: '127.0.0.2', port: CLIENT.port } });
  r.send(ping, { sessionId: 1 });
  r.host.receive(CLIENT, Uint8Array.of(0x80), r.now);
  r.host.receive(CLIENT, Uint8Array.of(0x40, 0, 5, 0xff, 0, 1), r.now);
  r.host.receive(CLIENT, new Uint8Array(4097), r.now);
  assert.equal(r.host.stats().strayDatagrams, 4);
  assert.equal(r.host.stats().malformedDatagrams, 3);
  assert.deepEqual(r.out(), []);
});

test('an unacknowledged reliable packet is sent again with the same number until acknowledged', () => {
  const r = connected();
  assert.equal(r.host.send(0, 0, Uint8Array.of(9), 'reliable', r.now), null);
  const [first] = r.out().flat();
  assert.ok(first?.kind === 'send-reliable');
  const deadline = r.host.nextDeadlineMs();
  assert.ok(deadline !== null && deadline > r.now);
  r.now = deadline;
  r.host.handleTimeout(r.now);
  const again = r.out().flat();
  assert.deepEqual(again, [first]);
  assert.equal(r.host.stats().retransmissions, 1);
  r.send([ack(first, r.now % 0x10000)]);
  r.now += 400;
  r.host.handleTimeout(r.now);
  assert.deepEqual(r.out(), []);
});

test('a peer that never acknowledges times out after ENet\'s minimum timeout and leaves with a disconnect event', () => {
  const r = connected();
  r.host.send(0, 0, Uint8Array.of(9), 'reliable', r.now);
  for (let guard = 0; guard < 10_000 && r.host.peer(0)?.state === 'connected'; guard += 1) {
    const deadline = r.host.nextDeadlineMs();
    assert.ok(deadline !== null);
    r.now = deadline;
    r.host.handleTimeout(r.now);
  }
  assert.deepEqual(r.events(), [{ kind: 'disconnect', peerId: 0, data: 7, cause: 'timeout' }]);
  assert.ok(r.now >= DEFAULT_ENET_HOST_CONFIG.timeoutMinimumMs && r.now < DEFAULT_ENET_HOST_CONFIG.timeoutMinimumMs + 1000, `timed out at ${r.now} ms`);
  assert.equal(r.host.stats().timeouts, 1);
});

test('the host pings a peer it has had no acknowledgement from for 500 ms, and sends BANDWIDTH_LIMIT at the next 1 s epoch after a connect', () => {
  const r = connected();
  const sent: Array<[number, string]> = [];
  for (let guard = 0; guard < 100; guard += 1) {
    const deadline = r.host.nextDeadlineMs();
    if (deadline === null || deadline > 1600) break;
    r.now = deadline;
    r.host.handleTimeout(r.now);
    for (const c of r.out().flat()) {
      sent.push([r.now, c.kind]);
      if (c.acknowledge) r.send([ack(c, r.now % 0x10000)]);
    }
  }
  assert.deepEqual(sent, [
    [501, 'ping'],
    [1000, 'bandwidth-limit'],
    [1500, 'ping'],
  ]);
});

test('a packet larger than the MTU leaves as fragments that rebuild it', () => {
  const r = connected();
  const big = Uint8Array.from({ length: 3000 }, (_, i) => i * 7);
  r.host.send(0, 2, big, 'reliable', r.now);
  const datagrams = r.out();
  const fragments = datagrams.flat().filter((c) => c.kind === 'send-fragment');
  assert.equal(fragments.length, Math.ceil(3000 / (900 - 4 - 24)));
  assert.ok(datagrams.every((d) => d.length > 0));
  const rebuilt = createEnetIncoming(3, { maxPacketBytes: 65536, maxWaitingBytes: 65536 });
  for (const f of fragments.reverse()) if (f.kind === 'send-fragment') rebuilt.fragment(f.channelId, f.reliableSequenceNumber, f, true);
  assert.deepEqual(rebuilt.drain(), [{ channelId: 2, data: big, delivery: 'reliable' }]);
});

test('a fragmented packet from the client is delivered once all fragments are in', () => {
  const r = connected();
  const whole = Uint8Array.from({ length: 50 }, (_, i) => i);
  const fragment = (n: number): EnetCommand => cmd(0, 1 + n, { kind: 'send-fragment', startSequenceNumber: 1, fragmentCount: 2, fragmentNumber: n, totalLength: 50, fragmentOffset: n * 25, data: whole.subarray(n * 25, n * 25 + 25) });
  r.send([fragment(1)]);
  assert.deepEqual(r.events(), []);
  r.send([fragment(0), fragment(1)]);
  assert.deepEqual(r.events(), [{ kind: 'receive', peerId: 0, channelId: 0, data: whole, delivery: 'reliable' }]);
});

test('a client DISCONNECT is acknowledged, then the host reports it with its data', () => {
  const r = connected();
  r.send([cmd(0xff, 2, { kind: 'disconnect', data: 5 })]);
  assert.deepEqual(r.out().flat().map((c) => c.kind), ['acknowledge']);
  assert.deepEqual(r.events(), [{ kind: 'disconnect', peerId: 0, data: 5, cause: 'remote' }]);
  assert.equal(r.host.peer(0)?.state, 'disconnected');
});

test('disconnect now sends an unsequenced DISCONNECT and frees the slot with no event; later datagrams are stray', () => {
  const r = connected();
  r.host.disconnectNow(0, 0, r.now);
  const [d] = r.out().flat();
  assert.ok(d?.kind === 'disconnect' && d.unsequenced && !d.acknowledge && d.data === 0);
  assert.deepEqual(r.events(), []);
  r.send([cmd(0xff, 2, { kind: 'ping' })]);
  assert.equal(r.host.stats().strayDatagrams, 1);
});

test('a graceful disconnect waits for its acknowledgement before the event', () => {
  const r = connected();
  r.host.disconnect(0, 3, r.now);
  const [d] = r.out().flat();
  assert.ok(d?.kind === 'disconnect' && d.acknowledge);
  assert.deepEqual(r.events(), []);
  r.send([ack(d, r.now % 0x10000)]);
  assert.deepEqual(r.events(), [{ kind: 'disconnect', peerId: 0, data: 7, cause: 'local' }]);
});

test('the next connection on a slot gets the next session id, and the old one\'s datagrams are stray', () => {
  const r = connected();
  r.host.disconnectNow(0, 0, r.now);
  r.out();
  r.send([connectCommand({ connectId: 2 })], { peerId: 0xfff });
  const verify = r.out().flat().find((c) => c.kind === 'verify-connect');
  assert.ok(verify?.kind === 'verify-connect');
  assert.deepEqual([verify.incomingSessionId, verify.outgoingSessionId], [1, 1]);
  r.send([ack(verify, r.now)], { sessionId: 0 });
  assert.equal(r.host.stats().strayDatagrams, 1);
  r.send([ack(verify, r.now)], { sessionId: 1 });
  assert.equal(r.events()[0]?.kind, 'connect');
});

test('seeded hostile datagrams are only ever taken or dropped and counted', () => {
  const seed = Number(process.env['GSC_TEST_SEED'] ?? 0x5eed);
  const random = mulberry32(seed);
  const r = connected({ maxWaitingBytes: 8192 });
  const valid = [
    encodeEnetDatagram({ peerId: 0, sessionId: 0, sentTime: 5 }, [cmd(0, 1, { kind: 'send-reliable', data: Uint8Array.of(1, 2, 3) })]),
    encodeEnetDatagram({ peerId: 0, sessionId: 0, sentTime: 5 }, [cmd(1, 1, { kind: 'send-fragment', startSequenceNumber: 1, fragmentCount: 3, fragmentNumber: 1, totalLength: 30, fragmentOffset: 10, data: new Uint8Array(10) })]),
    encodeEnetDatagram({ peerId: 0xfff, sessionId: 0, sentTime: 5 }, [connectCommand({ connectId: 99 })]),
  ];
  for (let i = 0; i < 20_000; i += 1) {
    const base = valid[i % valid.length] ?? new Uint8Array(0);
    const bytes = random() < 0.3 ? Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256)) : base.map((v) => (random() < 0.1 ? Math.floor(random() * 256) : v));
    r.now += 1;
    assert.doesNotThrow(() => r.host.receive(CLIENT, bytes, r.now), `seed ${seed}, datagram ${i}`);
    r.host.handleTimeout(r.now);
    r.out();
    r.events();
  }
  const s = r.host.stats();
  assert.equal(s.datagramsReceived, 2 + 20_000);
  assert.ok(s.malformedDatagrams + s.strayDatagrams + s.truncatedDatagrams > 0);
});

/** A small seeded PRNG (mulberry32), so failures replay with GSC_TEST_SEED. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
