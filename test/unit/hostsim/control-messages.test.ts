// The control message catalogue (test/hostsim/control-messages.ts): what the client sends,
// read with every length checked at its limit and one byte under, and what the host sends,
// written in Sunshine's layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_TYPE, encodeHostMessage, NO_HDR_METADATA, parseClientMessage, parseHostMessage, type ClientControlMessage, type HostControlMessage } from '../../hostsim/control-messages.ts';
import { SIMULATED_HDR_METADATA } from '../../hostsim/stream-session.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const CLIENT_CASES: Array<{ name: string; type: number; payload: string; expected: ClientControlMessage }> = [
  { name: 'IDR request (MCC sends 00 00)', type: 0x0302, payload: '0000', expected: { kind: 'request-idr' } },
  { name: 'Start A of plain Gen 7', type: 0x0305, payload: '0000', expected: { kind: 'start-a' } },
  { name: 'Start B', type: 0x0307, payload: '00', expected: { kind: 'start-b' } },
  { name: 'periodic ping', type: 0x0200, payload: '0400000000000000', expected: { kind: 'periodic-ping' } },
  { name: 'input (haptics enable)', type: 0x0206, payload: '000000060d0000000100', expected: { kind: 'input', packet: hex('000000060d0000000100') } },
  {
    name: 'RFI, two LE64 frame numbers and 8 zero bytes',
    type: 0x0301,
    payload: '0a00000000000000' + '0c00000000000000' + '0000000000000000',
    expected: { kind: 'invalidate-reference-frames', firstFrame: 10, lastFrame: 12 },
  },
  { name: 'RFI at its 16-byte minimum', type: 0x0301, payload: '01000000000000000200000000000000', expected: { kind: 'invalidate-reference-frames', firstFrame: 1, lastFrame: 2 } },
  { name: 'RFI one byte short', type: 0x0301, payload: '010000000000000002000000000000', expected: { kind: 'malformed', type: 0x0301, payloadBytes: 15 } },
  {
    name: 'legacy loss stats',
    type: 0x0201,
    payload: '00000000' + '32000000' + 'e8030000' + '2a00000000000000' + '00000000' + '00000000' + '14000000',
    expected: { kind: 'loss-stats', lossCount: 0, intervalMs: 50, lastGoodFrame: 42 },
  },
  { name: 'loss stats one byte short', type: 0x0201, payload: '00'.repeat(15), expected: { kind: 'malformed', type: 0x0201, payloadBytes: 15 } },
  {
    name: 'frame FEC status, big-endian',
    type: 0x5502,
    payload: '00000064' + '0010' + '000c' + '0002' + '0004' + '0002' + '0003' + '0001' + '32' + '00' + '01',
    expected: {
      kind: 'frame-fec-status',
      status: { frameIndex: 100, highestReceivedSequence: 16, nextContiguousSequence: 12, missingPacketsBelowHighest: 2, dataShards: 4, parityShards: 2, dataShardsReceived: 3, parityShardsReceived: 1, fecPercentage: 50, blockIndex: 0, blockCount: 1 },
    },
  },
  { name: 'frame FEC status one byte short', type: 0x5502, payload: '00'.repeat(20), expected: { kind: 'malformed', type: 0x5502, payloadBytes: 20 } },
  { name: 'LTR ACK', type: 0x0350, payload: '0700000000000000', expected: { kind: 'ltr-ack', frameIndex: 7 } },
  { name: 'an unknown type', type: 0x1234, payload: 'ff', expected: { kind: 'unknown', type: 0x1234, payload: hex('ff') } },
];

for (const c of CLIENT_CASES) {
  test(`client message: ${c.name}`, () => {
    assert.deepEqual(parseClientMessage({ type: c.type, payload: hex(c.payload) }), c.expected);
  });
}

const HOST_CASES: Array<{ name: string; message: HostControlMessage; type: number; payload: string }> = [
  { name: 'termination with Sunshine\'s code, big-endian', message: { kind: 'termination', code: 0x80030023 }, type: 0x0109, payload: '80030023' },
  { name: 'HDR off: 27 zero bytes, as recorded', message: { kind: 'hdr-mode', enabled: false, metadata: NO_HDR_METADATA }, type: 0x010e, payload: '00'.repeat(27) },
  {
    name: 'HDR on with the simulated display',
    message: { kind: 'hdr-mode', enabled: true, metadata: SIMULATED_HDR_METADATA },
    type: 0x010e,
    payload: '01' + '488a0839' + '3421aa9b' + '9619fc08' + '133d4240' + 'e803' + '3200' + 'e803' + '9001' + '9001',
  },
  { name: 'rumble', message: { kind: 'rumble', controller: 1, lowFrequency: 0x1234, highFrequency: 0xffff }, type: 0x010b, payload: 'eeffc000' + '0100' + '3412' + 'ffff' },
  { name: 'rumble triggers', message: { kind: 'rumble-triggers', controller: 2, left: 3, right: 4 }, type: 0x5500, payload: '020003000400' },
  { name: 'set motion event', message: { kind: 'set-motion-event', controller: 0, reportRateHz: 100, motionType: 2 }, type: 0x5501, payload: '0000640002' },
  { name: 'set RGB LED', message: { kind: 'set-rgb-led', controller: 1, r: 0xff, g: 0x80, b: 0 }, type: 0x5502, payload: '0100ff8000' },
  {
    name: 'adaptive triggers',
    message: { kind: 'adaptive-triggers', controller: 3, eventFlags: 0x0c, typeLeft: 1, typeRight: 2, left: new Uint8Array(10).fill(0xaa), right: new Uint8Array(10).fill(0xbb) },
    type: 0x5503,
    payload: '03000c0102' + 'aa'.repeat(10) + 'bb'.repeat(10),
  },
];

for (const c of HOST_CASES) {
  test(`host message: ${c.name}`, () => {
    const frame = encodeHostMessage(c.message);
    assert.equal(frame.type, c.type);
    assert.equal(toHex(frame.payload), c.payload);
    const back = parseHostMessage(frame);
    if (back !== null) assert.deepEqual(back, c.message);
  });
}

test('reading host messages refuses other lengths', () => {
  assert.equal(parseHostMessage({ type: CONTROL_TYPE.termination, payload: hex('800300') }), null);
  assert.equal(parseHostMessage({ type: CONTROL_TYPE.hdrMode, payload: hex('01') }), null);
  assert.equal(parseHostMessage({ type: 0x4242, payload: new Uint8Array(0) }), null);
});
