// What a peer of the simulated host delivers from the data commands it receives
// (test/hostsim/enet-incoming.ts): order and uniqueness per channel, the receive window,
// fragments in any order, unreliable and unsequenced rules, and the limits on held data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnetIncoming, inReceiveWindow, type EnetIncoming } from '../../hostsim/enet-incoming.ts';

const LIMITS = { maxPacketBytes: 1000, maxWaitingBytes: 4000 };
const b = (...v: number[]): Uint8Array => Uint8Array.from(v);
const texts = (incoming: EnetIncoming): string[] => incoming.drain().map((p) => `${p.channelId}:${p.delivery}:${[...p.data].join(',')}`);

test('reliable packets come out once and in order, whatever order they arrive in', () => {
  const incoming = createEnetIncoming(2, LIMITS);
  assert.equal(incoming.reliable(0, 2, b(2)), 'accepted');
  assert.deepEqual(texts(incoming), []);
  assert.equal(incoming.waitingBytes(), 1);
  assert.equal(incoming.reliable(0, 1, b(1)), 'accepted');
  assert.equal(incoming.reliable(1, 1, b(9)), 'accepted');
  assert.deepEqual(texts(incoming), ['0:reliable:1', '0:reliable:2', '1:reliable:9']);
  assert.equal(incoming.reliable(0, 2, b(2)), 'ignored');
  assert.equal(incoming.reliable(0, 1, b(1)), 'ignored');
  assert.equal(incoming.waitingBytes(), 0);
  assert.deepEqual(texts(incoming), []);
});

test('a channel the connection did not open is an error', () => {
  const incoming = createEnetIncoming(2, LIMITS);
  assert.equal(incoming.reliable(2, 1, b(1)), 'error');
  assert.equal(incoming.unsequenced(7, 1, b(1)), 'error');
});

const WINDOW_CASES: Array<{ sequence: number; current: number; inside: boolean }> = [
  { sequence: 1, current: 0, inside: true },
  { sequence: 4096 * 6 + 4095, current: 0, inside: true },
  { sequence: 4096 * 7, current: 0, inside: false },
  { sequence: 0, current: 1, inside: false },
  { sequence: 0xffff, current: 0, inside: false },
  { sequence: 3, current: 0xfff0, inside: true },
  { sequence: 0xffef, current: 0xfff0, inside: false },
  { sequence: 0xfff5, current: 0xfff0, inside: true },
];

for (const c of WINDOW_CASES) {
  test(`receive window: ${c.sequence} after ${c.current} is ${c.inside ? 'inside' : 'outside'}`, () => {
    assert.equal(inReceiveWindow(c.sequence, c.current), c.inside);
  });
}

test('sequence numbers wrap from 65535 to 0 without a gap', () => {
  const incoming = createEnetIncoming(1, LIMITS);
  for (let seq = 1; seq <= 0x10000 + 2; seq += 1) assert.equal(incoming.reliable(0, seq & 0xffff, b(seq & 0xff)), 'accepted', `seq ${seq}`);
  assert.equal(incoming.drain().length, 0x10000 + 2);
});

test('fragments in reverse order, with a duplicate, make one packet', () => {
  const incoming = createEnetIncoming(1, LIMITS);
  const whole = Uint8Array.from({ length: 25 }, (_, i) => i);
  const fragment = (n: number) => ({ startSequenceNumber: 1, fragmentCount: 3, fragmentNumber: n, totalLength: 25, fragmentOffset: n * 10, data: whole.subarray(n * 10, n * 10 + 10) });
  assert.equal(incoming.fragment(0, 3, fragment(2), true), 'accepted');
  assert.equal(incoming.fragment(0, 3, fragment(2), true), 'accepted');
  assert.equal(incoming.fragment(0, 2, fragment(1), true), 'accepted');
  assert.deepEqual(incoming.drain(), []);
  assert.equal(incoming.fragment(0, 1, fragment(0), true), 'accepted');
  assert.deepEqual(incoming.drain(), [{ channelId: 0, data: whole, delivery: 'reliable' }]);
  // The next reliable number after a 3-fragment packet starting at 1 is 4.
  assert.equal(incoming.reliable(0, 4, b(7)), 'accepted');
  assert.deepEqual(texts(incoming), ['0:reliable:7']);
  assert.equal(incoming.fragment(0, 1, fragment(0), true), 'ignored');
});

const BAD_FRAGMENTS: Array<{ name: string; fields: { fragmentCount: number; fragmentNumber: number; totalLength: number; fragmentOffset: number; length: number } }> = [
  { name: 'a fragment number past the count', fields: { fragmentCount: 2, fragmentNumber: 2, totalLength: 20, fragmentOffset: 0, length: 10 } },
  { name: 'an offset past the total', fields: { fragmentCount: 2, fragmentNumber: 1, totalLength: 20, fragmentOffset: 20, length: 1 } },
  { name: 'data past the total', fields: { fragmentCount: 2, fragmentNumber: 1, totalLength: 20, fragmentOffset: 15, length: 6 } },
  { name: 'a total over the packet limit (limit + 1)', fields: { fragmentCount: 2, fragmentNumber: 0, totalLength: LIMITS.maxPacketBytes + 1, fragmentOffset: 0, length: 10 } },
  { name: 'more fragments than bytes', fields: { fragmentCount: 30, fragmentNumber: 0, totalLength: 20, fragmentOffset: 0, length: 1 } },
];

for (const c of BAD_FRAGMENTS) {
  test(`a fragment with ${c.name} is an error`, () => {
    const incoming = createEnetIncoming(1, LIMITS);
    const f = c.fields;
    assert.equal(incoming.fragment(0, 1, { startSequenceNumber: 1, fragmentCount: f.fragmentCount, fragmentNumber: f.fragmentNumber, totalLength: f.totalLength, fragmentOffset: f.fragmentOffset, data: new Uint8Array(f.length) }, true), 'error');
    assert.equal(incoming.waitingBytes(), 0);
  });
}

test('a fragment that disagrees with the first one on count or total is an error', () => {
  const incoming = createEnetIncoming(1, LIMITS);
  assert.equal(incoming.fragment(0, 1, { startSequenceNumber: 1, fragmentCount: 2, fragmentNumber: 0, totalLength: 20, fragmentOffset: 0, data: new Uint8Array(10) }, true), 'accepted');
  assert.equal(incoming.fragment(0, 2, { startSequenceNumber: 1, fragmentCount: 3, fragmentNumber: 1, totalLength: 20, fragmentOffset: 10, data: new Uint8Array(10) }, true), 'error');
  assert.equal(incoming.fragment(0, 2, { startSequenceNumber: 1, fragmentCount: 2, fragmentNumber: 1, totalLength: 21, fragmentOffset: 10, data: new Uint8Array(10) }, true), 'error');
});

test('held data stops at its limit: the packet that reaches it is taken, the next byte is an error, the packet that unblocks them passes', () => {
  const incoming = createEnetIncoming(1, { maxPacketBytes: 1000, maxWaitingBytes: 1500 });
  assert.equal(incoming.reliable(0, 3, new Uint8Array(1000)), 'accepted');
  assert.equal(incoming.reliable(0, 4, new Uint8Array(500)), 'accepted');
  assert.equal(incoming.reliable(0, 5, new Uint8Array(1)), 'error');
  assert.equal(incoming.reliable(0, 6, new Uint8Array(1001)), 'error');
  assert.equal(incoming.waitingBytes(), 1500);
  assert.equal(incoming.reliable(0, 1, b(1)), 'accepted');
  assert.equal(incoming.reliable(0, 2, b(2)), 'accepted');
  assert.equal(incoming.drain().length, 4);
  assert.equal(incoming.waitingBytes(), 0);
});

test('unreliable packets pass in order after their reliable one, and stale ones are dropped', () => {
  const incoming = createEnetIncoming(1, LIMITS);
  assert.equal(incoming.unreliable(0, 0, 2, b(2)), 'accepted');
  assert.equal(incoming.unreliable(0, 0, 1, b(1)), 'ignored');
  assert.deepEqual(texts(incoming), ['0:unreliable:2']);
  assert.equal(incoming.unreliable(0, 1, 1, b(11)), 'accepted');
  assert.deepEqual(texts(incoming), []);
  assert.equal(incoming.reliable(0, 1, b(10)), 'accepted');
  assert.deepEqual(texts(incoming), ['0:reliable:10', '0:unreliable:11']);
  assert.equal(incoming.unreliable(0, 0, 5, b(5)), 'ignored');
  assert.equal(incoming.unreliable(0, 1, 1, b(11)), 'ignored');
});

test('unsequenced packets are delivered at once and never twice; a group far ahead starts a new window', () => {
  const incoming = createEnetIncoming(1, LIMITS);
  assert.equal(incoming.unsequenced(0, 5, b(5)), 'accepted');
  assert.equal(incoming.unsequenced(0, 3, b(3)), 'accepted');
  assert.equal(incoming.unsequenced(0, 5, b(5)), 'ignored');
  assert.deepEqual(texts(incoming), ['0:unsequenced:5', '0:unsequenced:3']);
  assert.equal(incoming.unsequenced(0, 1024 + 5, b(6)), 'accepted');
  assert.equal(incoming.unsequenced(0, 5, b(5)), 'ignored');
  assert.equal(incoming.unsequenced(0, 1024 * 40, b(7)), 'ignored');
});
