// ENet's datagram format (test/hostsim/enet-wire.ts): every datagram of the recorded Sunshine
// sessions read and written back byte for byte, each command kind through a round trip, what
// a reader refuses, and every prefix of a real datagram.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEnetDatagram, parseEnetDatagram, type EnetCommand, type EnetParseResult } from '../../hostsim/enet-wire.ts';
import { CONTROL_CAPTURES, loadControlCapture } from './udp-capture.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// sunshine-2026.817/dev-h264-720p60: the client's CONNECT, and two reliable sends in one datagram.
const CONNECT = hex('8fff f37c 82ff0001 0000 ff ff 00000384 00010000 00000030 00000000 00000000 00001388 00000002 00000002 24c8a0c1 6796c800');
const TWO_SENDS_HEADER = '8000f37d';

test('every ENet datagram of the recorded sessions parses whole and is written back byte for byte', () => {
  let datagrams = 0;
  for (const folder of CONTROL_CAPTURES) {
    const capture = loadControlCapture(folder);
    for (const d of capture.datagrams.filter((x) => x.srcPort === capture.hostPorts.control || x.dstPort === capture.hostPorts.control)) {
      const parsed = parseEnetDatagram(d.payload);
      assert.ok(parsed.ok, `${folder} at ${d.timeMs} ms`);
      assert.equal(parsed.datagram.malformedTail, false);
      assert.equal(toHex(encodeEnetDatagram(parsed.datagram, parsed.datagram.commands)), toHex(d.payload));
      datagrams += 1;
    }
  }
  assert.ok(datagrams > 500);
});

test('the client\'s CONNECT reads as MCC sends it: 48 channels, MTU 900, the connect data', () => {
  const parsed = parseEnetDatagram(CONNECT);
  assert.ok(parsed.ok);
  assert.deepEqual({ peerId: parsed.datagram.peerId, sessionId: parsed.datagram.sessionId, sentTime: parsed.datagram.sentTime }, { peerId: 0xfff, sessionId: 0, sentTime: 0xf37c });
  const [c] = parsed.datagram.commands;
  assert.ok(c?.kind === 'connect');
  assert.deepEqual(
    { ack: c.acknowledge, channel: c.channelId, seq: c.reliableSequenceNumber, mtu: c.mtu, window: c.windowSize, channels: c.channelCount, connectId: c.connectId, data: c.data },
    { ack: true, channel: 0xff, seq: 1, mtu: 900, window: 65536, channels: 48, connectId: 0x24c8a0c1, data: 1737934848 },
  );
});

const HEADER = { acknowledge: false, unsequenced: false, channelId: 3, reliableSequenceNumber: 0x1234 };
const DATA = Uint8Array.of(1, 2, 3, 4, 5);
const CONNECT_FIELDS = { outgoingPeerId: 7, incomingSessionId: 1, outgoingSessionId: 2, mtu: 1400, windowSize: 32768, channelCount: 255, incomingBandwidth: 1, outgoingBandwidth: 2, packetThrottleInterval: 3, packetThrottleAcceleration: 4, packetThrottleDeceleration: 5, connectId: 0xffffffff };
const FRAGMENT_FIELDS = { startSequenceNumber: 9, fragmentCount: 3, fragmentNumber: 2, totalLength: 2000, fragmentOffset: 1800, data: DATA };
const ROUND_TRIPS: Array<{ name: string; command: EnetCommand; bytes: number }> = [
  { name: 'acknowledge', command: { ...HEADER, kind: 'acknowledge', receivedReliableSequenceNumber: 0xfffe, receivedSentTime: 0x8001 }, bytes: 8 },
  { name: 'connect', command: { ...HEADER, acknowledge: true, kind: 'connect', ...CONNECT_FIELDS, data: 0x80000001 }, bytes: 48 },
  { name: 'verify-connect', command: { ...HEADER, acknowledge: true, kind: 'verify-connect', ...CONNECT_FIELDS }, bytes: 44 },
  { name: 'disconnect', command: { ...HEADER, unsequenced: true, kind: 'disconnect', data: 42 }, bytes: 8 },
  { name: 'ping', command: { ...HEADER, acknowledge: true, kind: 'ping' }, bytes: 4 },
  { name: 'send-reliable', command: { ...HEADER, acknowledge: true, kind: 'send-reliable', data: DATA }, bytes: 11 },
  { name: 'send-unreliable', command: { ...HEADER, kind: 'send-unreliable', unreliableSequenceNumber: 77, data: DATA }, bytes: 13 },
  { name: 'send-fragment', command: { ...HEADER, acknowledge: true, kind: 'send-fragment', ...FRAGMENT_FIELDS }, bytes: 29 },
  { name: 'send-unsequenced', command: { ...HEADER, unsequenced: true, kind: 'send-unsequenced', unsequencedGroup: 1025, data: DATA }, bytes: 13 },
  { name: 'bandwidth-limit', command: { ...HEADER, acknowledge: true, kind: 'bandwidth-limit', incomingBandwidth: 100, outgoingBandwidth: 200 }, bytes: 12 },
  { name: 'throttle-configure', command: { ...HEADER, acknowledge: true, kind: 'throttle-configure', interval: 5000, acceleration: 2, deceleration: 3 }, bytes: 16 },
  { name: 'send-unreliable-fragment', command: { ...HEADER, kind: 'send-unreliable-fragment', ...FRAGMENT_FIELDS }, bytes: 29 },
];

for (const c of ROUND_TRIPS) {
  test(`${c.name}: written in ${c.bytes} bytes and read back unchanged`, () => {
    const bytes = encodeEnetDatagram({ peerId: 5, sessionId: 3, sentTime: null }, [c.command]);
    assert.equal(bytes.length, 2 + c.bytes);
    const parsed = parseEnetDatagram(bytes);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.datagram, { peerId: 5, sessionId: 3, sentTime: null, commands: [c.command], malformedTail: false });
  });
}

const REFUSED: Array<{ name: string; bytes: Uint8Array; expected: EnetParseResult | 'tail' }> = [
  { name: 'an empty datagram', bytes: new Uint8Array(0), expected: { ok: false, reason: 'short-header' } },
  { name: 'one byte', bytes: hex('80'), expected: { ok: false, reason: 'short-header' } },
  { name: 'a sent-time flag without the sent time', bytes: hex('800012'), expected: { ok: false, reason: 'short-header' } },
  { name: 'the compressed flag', bytes: hex('4000 05ff0001'), expected: { ok: false, reason: 'compressed' } },
  { name: 'command 0', bytes: hex('0000 00ff0001'), expected: 'tail' },
  { name: 'command 13', bytes: hex('0000 0dff0001'), expected: 'tail' },
  { name: 'a command header cut short', bytes: hex('0000 05ff'), expected: 'tail' },
  { name: 'a fixed part cut short', bytes: hex('0000 01ff0001 0001'), expected: 'tail' },
  { name: 'data longer than the datagram', bytes: hex('0000 86000001 000a 010203'), expected: 'tail' },
];

for (const c of REFUSED) {
  test(`refused: ${c.name}`, () => {
    const parsed = parseEnetDatagram(c.bytes);
    if (c.expected !== 'tail') {
      assert.deepEqual(parsed, c.expected);
      return;
    }
    assert.ok(parsed.ok);
    assert.equal(parsed.datagram.malformedTail, true);
    assert.deepEqual(parsed.datagram.commands, []);
  });
}

test('every prefix of a real two-command datagram reads as a prefix of its commands', () => {
  const capture = loadControlCapture('sunshine-2026.817/dev-h264-720p60');
  const whole = capture.datagrams.find((d) => toHex(d.payload).startsWith(TWO_SENDS_HEADER) && d.payload.length === 94);
  assert.ok(whole !== undefined);
  const full = parseEnetDatagram(whole.payload);
  assert.ok(full.ok && full.datagram.commands.length === 2);
  const boundaries = new Set([4, 4 + 6 + 38, whole.payload.length]);
  for (let cut = 0; cut <= whole.payload.length; cut += 1) {
    const parsed = parseEnetDatagram(whole.payload.subarray(0, cut));
    if (cut < 4) {
      assert.equal(parsed.ok, false);
      continue;
    }
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.datagram.commands, full.datagram.commands.slice(0, parsed.datagram.commands.length));
    assert.equal(parsed.datagram.malformedTail, !boundaries.has(cut), `cut at ${cut}`);
  }
});
