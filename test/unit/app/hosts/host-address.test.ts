import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostAddress } from '../../../../src/app/hosts/host-address.ts';

const VALID = [
  { name: 'IPv4 alone takes the default port', input: '192.168.1.20', host: '192.168.1.20', port: 47989, display: '192.168.1.20' },
  { name: 'IPv4 with a port', input: '10.0.0.5:48989', host: '10.0.0.5', port: 48989, display: '10.0.0.5:48989' },
  { name: 'the default port is not shown', input: '10.0.0.5:47989', host: '10.0.0.5', port: 47989, display: '10.0.0.5' },
  { name: 'surrounding spaces are ignored', input: '  10.0.0.5  ', host: '10.0.0.5', port: 47989, display: '10.0.0.5' },
  { name: 'host name, lowercased', input: 'Gaming-PC', host: 'gaming-pc', port: 47989, display: 'gaming-pc' },
  { name: 'fully qualified name with trailing dot', input: 'pc.home.arpa.:1234', host: 'pc.home.arpa', port: 1234, display: 'pc.home.arpa:1234' },
  { name: 'bare IPv6', input: 'fe80::1', host: 'fe80::1', port: 47989, display: '[fe80::1]' },
  { name: 'IPv6 loopback', input: '::1', host: '::1', port: 47989, display: '[::1]' },
  { name: 'bracketed IPv6 without port', input: '[2001:DB8::5]', host: '2001:db8::5', port: 47989, display: '[2001:db8::5]' },
  { name: 'bracketed IPv6 with port', input: '[::1]:48000', host: '::1', port: 48000, display: '[::1]:48000' },
  { name: 'full eight-group IPv6', input: '2001:db8:0:0:0:0:0:1', host: '2001:db8:0:0:0:0:0:1', port: 47989, display: '[2001:db8:0:0:0:0:0:1]' },
  { name: 'IPv4-mapped IPv6', input: '::ffff:192.168.1.2', host: '::ffff:192.168.1.2', port: 47989, display: '[::ffff:192.168.1.2]' },
  { name: 'IPv6 with zone id', input: '[fe80::1%eth0]:47989', host: 'fe80::1%eth0', port: 47989, display: '[fe80::1%eth0]' },
  { name: 'port 65535', input: 'pc:65535', host: 'pc', port: 65535, display: 'pc:65535' },
];

for (const c of VALID) {
  test(`accepts ${c.name}: ${JSON.stringify(c.input)}`, () => {
    const r = parseHostAddress(c.input);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.host, c.host);
    assert.equal(r.value.httpPort, c.port);
    assert.equal(r.value.display, c.display);
  });
}

const INVALID = [
  { name: 'empty input', input: '   ', reason: 'empty' },
  { name: 'port 0', input: '10.0.0.5:0', reason: 'bad-port' },
  { name: 'port 65536', input: '10.0.0.5:65536', reason: 'bad-port' },
  { name: 'non-numeric port', input: 'pc:http', reason: 'bad-port' },
  { name: 'empty port', input: 'pc:', reason: 'bad-port' },
  { name: 'IPv4 octet above 255', input: '192.168.1.256', reason: 'bad-ipv4' },
  { name: 'IPv4 with three parts', input: '192.168.1', reason: 'bad-ipv4' },
  { name: 'IPv4 with a leading zero', input: '192.168.01.2', reason: 'bad-ipv4' },
  { name: 'IPv6 with two ::', input: '1::2::3', reason: 'bad-ipv6' },
  { name: 'IPv6 with nine groups', input: '1:2:3:4:5:6:7:8:9', reason: 'bad-ipv6' },
  { name: 'IPv6 group of five digits', input: '[12345::1]', reason: 'bad-ipv6' },
  { name: 'unclosed bracket', input: '[::1', reason: 'bad-ipv6' },
  { name: 'text after the bracket', input: '[::1]x', reason: 'bad-ipv6' },
  { name: 'IPv6 with a port but no brackets is read as IPv6 and rejected', input: 'fe80::1:99999', reason: 'bad-ipv6' },
  { name: 'name with a space', input: 'my pc', reason: 'bad-name' },
  { name: 'name with an underscore', input: 'my_pc', reason: 'bad-name' },
  { name: 'label starting with a hyphen', input: '-pc', reason: 'bad-name' },
  { name: 'URL instead of an address', input: 'http://pc:47989/', reason: 'bad-name' },
  { name: 'label longer than 63 characters', input: `${'a'.repeat(64)}.lan`, reason: 'bad-name' },
];

for (const c of INVALID) {
  test(`rejects ${c.name} with reason ${c.reason}`, () => {
    const r = parseHostAddress(c.input);
    assert.deepEqual(r, { ok: false, error: { kind: 'invalid-address', input: c.input, reason: c.reason } });
  });
}
