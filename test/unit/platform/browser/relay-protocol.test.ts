import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RELAY_MAX_DATA_BYTES,
  RELAY_MAX_FRAME_BYTES,
  RELAY_MAX_HOST_BYTES,
  decodeDatagram,
  encodeDatagram,
  encodeRelayMessage,
  parseRelayCommand,
  parseRelayEvent,
  tcpRelayUrl,
  udpRelayUrl,
} from '../../../../src/platform/browser/relay-protocol.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('a datagram frame is: host length, host, port big-endian, payload', () => {
  const frame = encodeDatagram({ host: '10.0.0.2', port: 47998, payload: hex('8001cafe') });
  assert.ok(frame.ok);
  assert.equal(toHex(frame.value), '08' + Buffer.from('10.0.0.2').toString('hex') + 'bb7e' + '8001cafe');
  const back = decodeDatagram(frame.value);
  assert.ok(back.ok);
  assert.deepEqual({ ...back.value, payload: toHex(back.value.payload) }, { host: '10.0.0.2', port: 47998, payload: '8001cafe' });
});

test('an empty payload and IPv6 hosts round-trip', () => {
  for (const host of ['::1', 'fe80::1ff:fe23:4567:890a', 'gaming-pc.lan']) {
    const frame = encodeDatagram({ host, port: 9, payload: new Uint8Array(0) });
    assert.ok(frame.ok);
    const back = decodeDatagram(frame.value);
    assert.ok(back.ok && back.value.host === host && back.value.payload.length === 0 && back.value.port === 9);
  }
});

test('limits: the largest payload and host fit in the largest frame; one byte more is refused', () => {
  const host = 'h'.repeat(RELAY_MAX_HOST_BYTES);
  const biggest = encodeDatagram({ host, port: 1, payload: new Uint8Array(RELAY_MAX_DATA_BYTES) });
  assert.ok(biggest.ok && biggest.value.length === RELAY_MAX_FRAME_BYTES);
  assert.ok(!encodeDatagram({ host, port: 1, payload: new Uint8Array(RELAY_MAX_DATA_BYTES + 1) }).ok);
  assert.ok(!encodeDatagram({ host: host + 'h', port: 1, payload: new Uint8Array(1) }).ok);
  const oversized = new Uint8Array(RELAY_MAX_FRAME_BYTES + 1);
  oversized[0] = RELAY_MAX_HOST_BYTES;
  oversized.fill(0x61, 1, 1 + RELAY_MAX_HOST_BYTES);
  oversized[1 + RELAY_MAX_HOST_BYTES + 1] = 1;
  assert.ok(!decodeDatagram(oversized).ok);
});

test('malformed datagram frames are refused, never read past their end', () => {
  const cases = [
    { name: 'empty', frame: '' },
    { name: 'zero-length host', frame: '00' + '0009' },
    { name: 'host longer than the frame', frame: '05' + '3132' },
    { name: 'no port', frame: '01' + '31' + '00' },
    { name: 'port 0', frame: '01' + '31' + '0000' + 'ff' },
    { name: 'host not UTF-8', frame: '01' + 'ff' + '0009' },
    { name: 'bad port and no payload', frame: '01' + '31' },
  ];
  for (const { name, frame } of cases) assert.ok(!decodeDatagram(hex(frame)).ok, name);
  assert.ok(!encodeDatagram({ host: '1.2.3.4', port: 0, payload: hex('00') }).ok);
  assert.ok(!encodeDatagram({ host: '1.2.3.4', port: 65536, payload: hex('00') }).ok);
  assert.ok(!encodeDatagram({ host: '', port: 1, payload: hex('00') }).ok);
});

test('relay events parse back from their encoding; anything else is refused', () => {
  const events = [
    { kind: 'connected' },
    { kind: 'end' },
    { kind: 'bound', port: 50000 },
    { kind: 'error', error: { kind: 'unreachable', detail: 'refused' } },
    { kind: 'send-failed', error: { kind: 'io', detail: 'EACCES' } },
  ] as const;
  for (const event of events) assert.deepEqual(parseRelayEvent(encodeRelayMessage(event)), { ok: true, value: event });
  for (const text of ['', 'null', '[]', '{"kind":"nope"}', '{"kind":"bound","port":0}', '{"kind":"error","error":{"kind":"weird","detail":"x"}}',
    '{"kind":"error","error":{"kind":"io"}}', `{"kind":"connected","pad":"${'x'.repeat(2000)}"}`]) {
    assert.equal(parseRelayEvent(text).ok, false, text.slice(0, 60));
  }
  assert.deepEqual(parseRelayCommand('{"kind":"pause"}'), { ok: true, value: { kind: 'pause' } });
  assert.deepEqual(parseRelayCommand('{"kind":"resume"}'), { ok: true, value: { kind: 'resume' } });
  assert.equal(parseRelayCommand('{"kind":"connected"}').ok, false);
});

test('relay URLs carry the token and the target, escaped', () => {
  assert.equal(tcpRelayUrl('ws://127.0.0.1:9000/', 'a+b/c', '::1', 47984, 1500.2), 'ws://127.0.0.1:9000/tcp?token=a%2Bb%2Fc&host=%3A%3A1&port=47984&timeoutMs=1501');
  assert.equal(udpRelayUrl('ws://[::1]:9000', 't', 6, true), 'ws://[::1]:9000/udp?token=t&family=6&broadcast=1');
});
