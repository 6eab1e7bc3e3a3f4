// The control stream's envelope (test/hostsim/control-envelope.ts): the nonce, every envelope
// of the recorded sessions opened in its direction and compared with control-messages.jsonl,
// a recorded envelope sealed again byte for byte, and what opening refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { controlNonce, encodeV1, openControlEnvelope, parseV1, sealControlEnvelope, type EnvelopeOpenResult } from '../../hostsim/control-envelope.ts';
import { parseEnetDatagram } from '../../hostsim/enet-wire.ts';
import { CONTROL_CAPTURES, loadControlCapture } from './udp-capture.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const KEY = Uint8Array.from(Buffer.from('f5ec232291c5b8b3b172680f0cfb0983', 'hex'));

test('the nonce is the LE32 sequence number, six zero bytes, the sender\'s letter and C', () => {
  assert.equal(toHex(controlNonce(1, 'client')), '010000000000000000004343');
  assert.equal(toHex(controlNonce(0x01020304, 'host')), '040302010000000000004843');
});

for (const folder of CONTROL_CAPTURES) {
  test(`${folder}: every control envelope in the capture opens in its direction and is the message control-messages.jsonl records`, () => {
    const capture = loadControlCapture(folder);
    const opened: Array<Record<string, unknown>> = [];
    for (const d of capture.datagrams) {
      const fromHost = d.srcPort === capture.hostPorts.control;
      if (!fromHost && d.dstPort !== capture.hostPorts.control) continue;
      const parsed = parseEnetDatagram(d.payload);
      assert.ok(parsed.ok);
      for (const c of parsed.datagram.commands) {
        if (c.kind !== 'send-reliable') continue;
        const o = openControlEnvelope(capture.rikey, fromHost ? 'host' : 'client', c.data);
        assert.ok(o.kind === 'opened', `${folder}: ${o.kind}`);
        opened.push({ dir: fromHost ? 'host->client' : 'client->host', enet_channel: c.channelId, enet_reliable_seq: c.reliableSequenceNumber, envelope_seq: o.sequence, type: `0x${o.frame.type.toString(16).padStart(4, '0')}`, payload_hex: toHex(o.frame.payload) });
        // Sealing the plaintext again with the same key and number gives the same bytes.
        assert.equal(toHex(sealControlEnvelope(capture.rikey, o.sequence, fromHost ? 'host' : 'client', o.frame)), toHex(c.data));
      }
    }
    assert.deepEqual(
      opened,
      capture.messages.map(({ ms: _ms, ...rest }) => rest),
    );
  });
}

function envelope(): Uint8Array {
  return sealControlEnvelope(KEY, 7, 'client', { type: 0x0302, payload: Uint8Array.of(0, 0) });
}

const REFUSED: Array<{ name: string; packet: () => Uint8Array; key?: Uint8Array; expected: EnvelopeOpenResult['kind'] }> = [
  { name: 'a plain message', packet: () => encodeV1({ type: 0x0302, payload: Uint8Array.of(0, 0) }), expected: 'not-envelope' },
  { name: 'one byte', packet: () => Uint8Array.of(1), expected: 'truncated' },
  { name: 'a marker and half a header', packet: () => Uint8Array.of(1, 0, 30, 0, 0, 0), expected: 'truncated' },
  { name: 'L = 23', packet: () => Uint8Array.of(1, 0, 23, 0, ...new Uint8Array(24)), expected: 'runt' },
  { name: 'L past the end of the packet', packet: () => envelope().subarray(0, envelope().length - 1), expected: 'truncated' },
  { name: 'a tag with one bit changed', packet: () => envelope().map((v, i) => (i === 8 ? v ^ 1 : v)), expected: 'auth-failed' },
  { name: 'a ciphertext with one bit changed', packet: () => envelope().map((v, i) => (i === 24 ? v ^ 1 : v)), expected: 'auth-failed' },
  { name: 'another key', packet: envelope, key: new Uint8Array(16), expected: 'auth-failed' },
  { name: 'the host\'s letter in the nonce', packet: () => sealControlEnvelope(KEY, 7, 'host', { type: 0x0302, payload: Uint8Array.of(0, 0) }), expected: 'auth-failed' },
  { name: 'a sealed plaintext shorter than a V2 header (L = 23)', packet: () => shortPlaintextEnvelope(), expected: 'runt' },
];

for (const c of REFUSED) {
  test(`opening refuses ${c.name} (${c.expected})`, () => {
    assert.equal(openControlEnvelope(c.key ?? KEY, 'client', c.packet()).kind, c.expected);
  });
}

test('bytes after L are ignored, as Sunshine reads only L', () => {
  const o = openControlEnvelope(KEY, 'client', Uint8Array.from([...envelope(), 0xaa, 0xbb]));
  assert.ok(o.kind === 'opened');
  assert.deepEqual([o.sequence, o.frame.type, toHex(o.frame.payload)], [7, 0x0302, '0000']);
});

test('every prefix of an envelope is refused without an exception', () => {
  const whole = envelope();
  for (let cut = 0; cut < whole.length; cut += 1) {
    const kind = openControlEnvelope(KEY, 'client', whole.subarray(0, cut)).kind;
    assert.ok(kind === 'truncated' || kind === 'not-envelope', `cut at ${cut}: ${kind}`);
  }
});

test('the V1 framing is LE16 type then payload', () => {
  assert.equal(toHex(encodeV1({ type: 0x0200, payload: Uint8Array.of(4, 0) })), '00020400');
  assert.deepEqual(parseV1(Uint8Array.of(0x07, 0x03, 0)), { type: 0x0307, payload: Uint8Array.of(0) });
  assert.equal(parseV1(Uint8Array.of(7)), null);
});

function shortPlaintextEnvelope(): Uint8Array {
  const cipher = createCipheriv('aes-128-gcm', KEY, controlNonce(3, 'client'));
  const ciphertext = Buffer.concat([cipher.update(Uint8Array.of(1, 2, 3)), cipher.final()]);
  const out = new Uint8Array(24 + ciphertext.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 1, true);
  view.setUint16(2, out.length - 4, true);
  view.setUint32(4, 3, true);
  out.set(cipher.getAuthTag(), 8);
  out.set(ciphertext, 24);
  return out;
}
