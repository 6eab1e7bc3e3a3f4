import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIpLiteral, unmapV4, v4Mapped } from '../../../../src/platform/tizen/ip-literal.ts';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('IP literals parse to network-order bytes', () => {
  const cases = [
    { input: '192.168.1.20', family: 4, hex: 'c0a80114' },
    { input: '0.0.0.0', family: 4, hex: '00000000' },
    { input: '255.255.255.255', family: 4, hex: 'ffffffff' },
    { input: '::1', family: 6, hex: '00000000000000000000000000000001' },
    { input: '::', family: 6, hex: '00000000000000000000000000000000' },
    { input: '[fe80::1]', family: 6, hex: 'fe800000000000000000000000000001' },
    { input: '2001:DB8::8:800:200C:417A', family: 6, hex: '20010db80000000000080800200c417a' },
    { input: '1:2:3:4:5:6:7:8', family: 6, hex: '00010002000300040005000600070008' },
    { input: '::ffff:10.0.0.1', family: 6, hex: '00000000000000000000ffff0a000001' },
    { input: '1::', family: 6, hex: '00010000000000000000000000000000' },
  ];
  for (const { input, family, hex } of cases) {
    const parsed = parseIpLiteral(input);
    assert.ok(parsed !== null, input);
    assert.equal(parsed.family, family, input);
    assert.equal(toHex(parsed.bytes), hex, input);
  }
});

test('host names and malformed literals are not IP literals', () => {
  for (const input of ['gaming-pc.lan', 'localhost', '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4',
    ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::8', 'fe80::1%eth0', '12345::', '::1.2.3', '1.2.3.4::', 'g::1']) {
    assert.equal(parseIpLiteral(input), null, input);
  }
});

test('addresses format in their canonical text form', () => {
  const cases = [
    { hex: 'c0a80114', text: '192.168.1.20' },
    { hex: '00000000000000000000000000000001', text: '::1' },
    { hex: '00000000000000000000000000000000', text: '::' },
    { hex: '20010db80000000000080800200c417a', text: '2001:db8::8:800:200c:417a' },
    { hex: '20010db8000000010001000100010001', text: '2001:db8:0:1:1:1:1:1' }, // one zero group stays
    { hex: '20010000000000010000000000000001', text: '2001:0:0:1::1' }, // the longer run is shortened
    { hex: '20010db8000000000001000000000001', text: '2001:db8::1:0:0:1' }, // on a tie, the first
    { hex: '00000000000000000000ffff0a000001', text: '::ffff:10.0.0.1' },
  ];
  for (const { hex, text } of cases) {
    assert.equal(formatIp(Uint8Array.from(Buffer.from(hex, 'hex'))), text);
    const back = parseIpLiteral(text);
    assert.ok(back !== null && toHex(back.bytes) === hex, text);
  }
});

test('IPv4-mapped addresses convert both ways', () => {
  const v4 = Uint8Array.of(10, 0, 0, 1);
  assert.equal(toHex(v4Mapped(v4)), '00000000000000000000ffff0a000001');
  assert.equal(toHex(unmapV4(v4Mapped(v4))), '0a000001');
  const plain6 = parseIpLiteral('::1');
  assert.ok(plain6 !== null);
  assert.equal(unmapV4(plain6.bytes), plain6.bytes);
});
