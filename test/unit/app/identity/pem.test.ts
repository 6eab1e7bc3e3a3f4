import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64Decode, base64Encode, derToPem, pemToDer } from '../../../../src/app/identity/pem.ts';

test('base64 matches node for every length up to 70 bytes', () => {
  for (let n = 0; n <= 70; n += 1) {
    const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
    const expected = Buffer.from(bytes).toString('base64');
    assert.equal(base64Encode(bytes), expected, `length ${n}`);
    assert.deepEqual(base64Decode(expected), { ok: true, value: bytes }, `length ${n}`);
  }
});

test('bad base64 is an error', () => {
  for (const text of ['abc', 'ab=c', '====', 'ab*c', 'a===', '=abc']) {
    assert.equal(base64Decode(text).ok, false, text);
  }
});

test('PEM text has 64-character lines and round-trips', () => {
  const der = new Uint8Array(100).map((_, i) => i);
  const pem = derToPem(der, 'CERTIFICATE');
  const lines = pem.split('\n');
  assert.equal(lines[0], '-----BEGIN CERTIFICATE-----');
  assert.deepEqual(lines.slice(1, 4).map((l) => l.length), [64, 64, 8]);
  assert.equal(lines[4], '-----END CERTIFICATE-----');
  assert.equal(lines[5], '');
  assert.equal(lines.length, 6);
  assert.deepEqual(pemToDer(pem, 'CERTIFICATE'), { ok: true, value: der });
  assert.deepEqual(pemToDer(pem), { ok: true, value: der });
});

test('CRLF line ends and surrounding text are accepted', () => {
  const der = new Uint8Array([1, 2, 3, 4]);
  const pem = `subject=CN = x\r\n${derToPem(der, 'CERTIFICATE').replace(/\n/g, '\r\n')}trailer`;
  assert.deepEqual(pemToDer(pem, 'CERTIFICATE'), { ok: true, value: der });
});

test('a PEM block is found by its label, and mismatched or missing markers fail', () => {
  const key = derToPem(new Uint8Array([9]), 'PRIVATE KEY');
  const cert = derToPem(new Uint8Array([7]), 'CERTIFICATE');
  assert.deepEqual(pemToDer(key + cert, 'CERTIFICATE'), { ok: true, value: new Uint8Array([7]) });
  assert.equal(pemToDer(key, 'CERTIFICATE').ok, false);
  assert.equal(pemToDer('-----BEGIN CERTIFICATE-----\nAQID\n-----END PRIVATE KEY-----\n').ok, false);
  assert.equal(pemToDer('nothing here').ok, false);
  assert.equal(pemToDer('-----BEGIN CERTIFICATE-----\nAQ*D\n-----END CERTIFICATE-----\n').ok, false);
});
