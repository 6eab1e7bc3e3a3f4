import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DER_MAX_DEPTH,
  DerTag,
  decodeOid,
  decodeString,
  decodeTime,
  decodeUnsignedInteger,
  derCertificateTime,
  derEncode,
  derExplicit,
  derGeneralizedTime,
  derNull,
  derOid,
  derPrintableString,
  derSequence,
  derUnsignedInteger,
  derUtcTime,
  derUtf8String,
  parseDer,
} from '../../../../src/app/identity/der.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

test('the writer produces the known DER encodings', () => {
  const cases: { name: string; actual: Uint8Array; expected: string }[] = [
    { name: 'sha256WithRSAEncryption OID', actual: derOid('1.2.840.113549.1.1.11'), expected: '06092a864886f70d01010b' },
    { name: 'commonName OID', actual: derOid('2.5.4.3'), expected: '0603550403' },
    { name: 'NULL', actual: derNull(), expected: '0500' },
    { name: 'zero from no bytes', actual: derUnsignedInteger(new Uint8Array(0)), expected: '020100' },
    { name: 'zero from one byte', actual: derUnsignedInteger(bytes('00')), expected: '020100' },
    { name: 'leading zeros dropped', actual: derUnsignedInteger(bytes('00007f')), expected: '02017f' },
    { name: 'sign byte added', actual: derUnsignedInteger(bytes('80')), expected: '02020080' },
    { name: 'exponent 65537', actual: derUnsignedInteger(bytes('010001')), expected: '0203010001' },
    { name: 'UTCTime', actual: derUtcTime(Date.UTC(2026, 10, 21, 12, 0, 5)), expected: '170d3236313132313132303030355a' },
    { name: 'GeneralizedTime', actual: derGeneralizedTime(Date.UTC(2050, 0, 1)), expected: '180f32303530303130313030303030305a' },
    { name: 'certificate time after 2049', actual: derCertificateTime(Date.UTC(2050, 0, 1)), expected: '180f32303530303130313030303030305a' },
    { name: 'PrintableString', actual: derPrintableString('Ab 1'), expected: '130441622031' },
    { name: 'UTF8String', actual: derUtf8String('é'), expected: '0c02c3a9' },
    { name: 'explicit [0]', actual: derExplicit(0, bytes('020102')), expected: 'a003020102' },
    { name: 'long form length', actual: derEncode(DerTag.OCTET_STRING, new Uint8Array(200)), expected: '0481c8' + '00'.repeat(200) },
    { name: 'two-byte length', actual: derEncode(DerTag.OCTET_STRING, new Uint8Array(300)), expected: '0482012c' + '00'.repeat(300) },
  ];
  for (const c of cases) assert.equal(hex(c.actual), c.expected, c.name);
});

test('values read back as written', () => {
  const seq = parseDer(derSequence(derOid('1.2.840.113549.1.1.1'), derUnsignedInteger(bytes('ff01')), derUtcTime(Date.UTC(1999, 11, 31, 23, 59, 59))));
  assert.ok(seq.ok);
  const [oid, int, time] = seq.value.children;
  assert.ok(oid && int && time);
  assert.deepEqual(decodeOid(oid.contents), { ok: true, value: '1.2.840.113549.1.1.1' });
  assert.deepEqual(decodeUnsignedInteger(int), { ok: true, value: bytes('ff01') });
  assert.deepEqual(decodeTime(time), { ok: true, value: Date.UTC(1999, 11, 31, 23, 59, 59) });
});

test('UTCTime years below 50 are in the 21st century and GeneralizedTime keeps milliseconds', () => {
  const utc = parseDer(bytes('170d3439313233313233353935395a'));
  assert.ok(utc.ok);
  assert.deepEqual(decodeTime(utc.value), { ok: true, value: Date.UTC(2049, 11, 31, 23, 59, 59) });
  const gen = parseDer(derEncode(DerTag.GENERALIZED_TIME, new TextEncoder().encode('20300101000000.25Z')));
  assert.ok(gen.ok);
  assert.deepEqual(decodeTime(gen.value), { ok: true, value: Date.UTC(2030, 0, 1) + 250 });
});

test('impossible dates and malformed times are errors', () => {
  for (const text of ['260231000000Z', '261301000000Z', '2611210000Z', '261121000000+0100']) {
    const el = parseDer(derEncode(DerTag.UTC_TIME, new TextEncoder().encode(text)));
    assert.ok(el.ok);
    assert.equal(decodeTime(el.value).ok, false, text);
  }
});

test('strings of the name types decode to text', () => {
  const cases = [
    { input: '13054e56494449', expected: 'NVIDI' },
    { input: '0c02c3a9', expected: 'é' },
    { input: '1e0400410042', expected: 'AB' },
  ];
  for (const c of cases) {
    const el = parseDer(bytes(c.input));
    assert.ok(el.ok);
    assert.deepEqual(decodeString(el.value), { ok: true, value: c.expected });
  }
  const badUtf8 = parseDer(bytes('0c01ff'));
  assert.ok(badUtf8.ok);
  assert.equal(decodeString(badUtf8.value).ok, false);
});

test('malformed DER is an error value, never an exception', () => {
  const cases: { name: string; input: string }[] = [
    { name: 'empty input', input: '' },
    { name: 'tag only', input: '30' },
    { name: 'length beyond input', input: '300500' },
    { name: 'indefinite length', input: '3080' + '0000' },
    { name: 'five length bytes', input: '3085' + '0000000001' + '00' },
    { name: 'length bytes cut', input: '308201' },
    { name: 'huge length', input: '3084ffffffff' },
    { name: 'child overruns parent', input: '3003' + '020501' + '0000000000' },
    { name: 'trailing bytes', input: '0500' + '00' },
    { name: 'multi-byte tag', input: '1f8101' + '00' },
  ];
  for (const c of cases) {
    const r = parseDer(bytes(c.input));
    assert.equal(r.ok, false, c.name);
  }
});

test('nesting deeper than the limit is refused and the limit itself is accepted', () => {
  const nest = (depth: number): Uint8Array => {
    let inner = derNull();
    for (let i = 0; i < depth; i += 1) inner = derSequence(inner);
    return inner;
  };
  assert.equal(parseDer(nest(DER_MAX_DEPTH)).ok, true);
  const deep = parseDer(nest(DER_MAX_DEPTH + 1));
  assert.equal(deep.ok, false);
});

test('OID contents that end inside an arc or are empty are errors', () => {
  assert.equal(decodeOid(bytes('2a86')).ok, false);
  assert.equal(decodeOid(new Uint8Array(0)).ok, false);
  assert.equal(decodeOid(bytes('2a8001')).ok, false, 'non-minimal arc');
  assert.deepEqual(decodeOid(bytes('2a8101')), { ok: true, value: '1.2.129' });
  assert.equal(decodeOid(bytes('80ff')).ok, false);
});

test('random bytes never make the parser throw', () => {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let round = 0; round < 2000; round += 1) {
    const len = next() % 64;
    const input = new Uint8Array(len);
    for (let i = 0; i < len; i += 1) input[i] = next() & 0xff;
    // Bias towards structure: start with a SEQUENCE tag and a plausible length most of the time.
    if (len > 2 && round % 2 === 0) {
      input[0] = 0x30;
      input[1] = len - 2;
    }
    assert.doesNotThrow(() => parseDer(input), `seed round ${round}`);
  }
});
