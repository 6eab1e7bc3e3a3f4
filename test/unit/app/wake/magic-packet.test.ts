import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMagicPacket, MAGIC_PACKET_BYTES, parseMac } from '../../../../src/app/wake/magic-packet.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('the magic packet is six 0xFF bytes then the MAC sixteen times (102 bytes)', () => {
  const mac = parseMac('00:1A:2b:3c:4D:5e');
  assert.ok(mac.ok);
  const packet = buildMagicPacket(mac.value);
  assert.equal(packet.length, MAGIC_PACKET_BYTES);
  assert.equal(hex(packet), 'ffffffffffff' + '001a2b3c4d5e'.repeat(16));
});

test('a MAC written with dashes is read the same', () => {
  assert.deepEqual(parseMac('00-1a-2b-3c-4d-5e'), parseMac('00:1a:2b:3c:4d:5e'));
});

for (const bad of ['', '00:1a:2b:3c:4d', '00:1a:2b:3c:4d:5e:6f', '00:1a:2b:3c:4d:zz', '001a2b3c4d5e']) {
  test(`${JSON.stringify(bad)} is not a MAC`, () => {
    assert.equal(parseMac(bad).ok, false);
  });
}
