import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex, hexToBytes } from '../../../src/lib/hex.ts';

test('bytes print as lowercase hex, two characters each', () => {
  assert.equal(bytesToHex(new Uint8Array([0x00, 0x0f, 0xa0, 0xff])), '000fa0ff');
  assert.equal(bytesToHex(new Uint8Array(0)), '');
});

test('hex of either case reads back to the bytes', () => {
  assert.deepEqual(hexToBytes('000fA0Ff'), new Uint8Array([0x00, 0x0f, 0xa0, 0xff]));
  assert.deepEqual(hexToBytes(''), new Uint8Array(0));
});

test('odd length and non-hex characters are refused', () => {
  for (const bad of ['abc', 'zz', '0g', ' 00', '0x00']) assert.equal(hexToBytes(bad), null, bad);
});
