import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64 } from '../../../../src/app/apps/base64.ts';

// RFC 4648 section 10 test vectors ("", "f", "fo", "foo", ...), bytes as hex.
const VECTORS = [
  { hex: '', text: '' },
  { hex: '66', text: 'Zg==' },
  { hex: '666f', text: 'Zm8=' },
  { hex: '666f6f', text: 'Zm9v' },
  { hex: '666f6f62', text: 'Zm9vYg==' },
  { hex: '666f6f6261', text: 'Zm9vYmE=' },
  { hex: '666f6f626172', text: 'Zm9vYmFy' },
  { hex: '89504e470d0a1a0a00fffe', text: 'iVBORw0KGgoA//4=' },
];

const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));

for (const v of VECTORS) {
  test(`encodes ${v.hex || '(empty)'} as ${JSON.stringify(v.text)} and decodes it back`, () => {
    assert.equal(bytesToBase64(Uint8Array.from(Buffer.from(v.hex, 'hex'))), v.text);
    assert.equal(hex(base64ToBytes(v.text)), v.hex);
  });
}

for (const bad of ['Zg=', 'Z===', 'Zm9v!A==', 'Zg==Zg==', '=Zg=']) {
  test(`refuses ${JSON.stringify(bad)}`, () => {
    assert.equal(base64ToBytes(bad), null);
  });
}

test('every byte value survives a round trip', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.equal(hex(base64ToBytes(bytesToBase64(all))), hex(all));
});
