import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppVersionMajor, parseServerInfo, type ServerInfo } from '../../../src/nvhttp/serverinfo.ts';
import { parseXmlReply } from '../../../src/nvhttp/xml-reply.ts';
import { fixtureBody } from './fixture-replies.ts';

function serverInfoOf(body: Uint8Array | string, secure: boolean, httpPort = 47989): ServerInfo {
  const reply = parseXmlReply(body);
  if (!reply.ok) throw new Error(reply.error.detail);
  const info = parseServerInfo(reply.value, { secure, httpPort });
  if (!info.ok) throw new Error(info.error.detail);
  return info.value;
}

const common = {
  appVersion: '7.1.431.-1',
  gfeVersion: '3.23.0.74',
  httpsPort: 47984,
  externalPort: 47989,
  maxLumaPixelsHevc: 1869449984,
  mac: null, // all-zero over loopback, even over HTTPS
  localIp: '127.0.0.1',
  isNvidia: false,
};

const cases: Array<{ version: string; file: string; secure: boolean; expected: Partial<ServerInfo> }> = [
  { version: 'v0.23.1', file: 'serverinfo-http', secure: false, expected: { ...common, hostName: 'refpeer-sunshine', uniqueId: 'A36A44AB-B06D-9607-F99A-6D306DACA875', codecModeSupport: 257, paired: false, busy: false, currentGame: 0, state: 'SUNSHINE_SERVER_FREE', secure: false } },
  { version: 'v0.23.1', file: 'serverinfo-https', secure: true, expected: { ...common, hostName: 'refpeer-sunshine', codecModeSupport: 257, paired: true, busy: false, currentGame: 0, secure: true } },
  { version: 'v0.23.1', file: 'serverinfo-https-2', secure: true, expected: { paired: true, busy: true, currentGame: 881448767, state: 'SUNSHINE_SERVER_BUSY' } },
  { version: 'v2026.817', file: 'serverinfo-http', secure: false, expected: { ...common, hostName: 'refpeer2-sunshine', uniqueId: 'BD8DD6CC-667B-972F-EA08-8EBA6FFB8B01', codecModeSupport: 786689, paired: false, busy: false, currentGame: 0, secure: false } },
  // Over HTTP PairStatus is always 0, but busy and currentgame are reported to anyone.
  { version: 'v2026.817', file: 'serverinfo-http-2', secure: false, expected: { paired: false, busy: true, currentGame: 881448767 } },
  { version: 'v2026.817', file: 'serverinfo-https', secure: true, expected: { ...common, codecModeSupport: 786689, paired: true, busy: false, currentGame: 0, secure: true } },
  { version: 'v2026.817', file: 'serverinfo-https-2', secure: true, expected: { paired: true, busy: true, currentGame: 881448767, state: 'SUNSHINE_SERVER_BUSY' } },
];

for (const c of cases) {
  test(`real Sunshine ${c.version} ${c.file} reads as expected`, () => {
    const info = serverInfoOf(fixtureBody(c.version, c.file), c.secure);
    for (const [key, value] of Object.entries(c.expected)) assert.deepEqual(info[key as keyof ServerInfo], value, key);
  });
}

test('PairStatus 1 received over plain HTTP does not count as paired', () => {
  const body = new TextDecoder().decode(fixtureBody('v2026.817', 'serverinfo-https')).replace('<PairStatus>0</PairStatus>', '<PairStatus>1</PairStatus>');
  assert.equal(serverInfoOf(body, false).paired, false);
  assert.equal(serverInfoOf(body, true).paired, true);
});

const minimal = (inner: string): string => `<root status_code="200"><uniqueid>host-1</uniqueid><appversion>7.1.431.-1</appversion>${inner}</root>`;

const derived: Array<{ name: string; inner: string; httpPort?: number; expected: Partial<ServerInfo> }> = [
  { name: 'HttpsPort missing means 47984', inner: '', expected: { httpsPort: 47984 } },
  { name: 'HttpsPort 0 means 47984', inner: '<HttpsPort>0</HttpsPort>', expected: { httpsPort: 47984 } },
  { name: 'HttpsPort out of range means 47984', inner: '<HttpsPort>70000</HttpsPort>', expected: { httpsPort: 47984 } },
  { name: 'a custom HttpsPort is kept', inner: '<HttpsPort>40000</HttpsPort>', expected: { httpsPort: 40000 } },
  { name: 'ExternalPort missing means the port asked', inner: '', httpPort: 40005, expected: { externalPort: 40005 } },
  { name: 'a real MAC is kept, lowercased', inner: '<mac>AA:BB:CC:00:11:22</mac>', expected: { mac: 'aa:bb:cc:00:11:22' } },
  { name: 'an all-zero MAC is null', inner: '<mac>00:00:00:00:00:00</mac>', expected: { mac: null } },
  { name: 'a garbled MAC is null', inner: '<mac>zz</mac>', expected: { mac: null } },
  { name: 'a GFE state is NVIDIA, and busy by its suffix', inner: '<state>MJOLNIR_STATE_SERVER_BUSY</state><currentgame>12</currentgame>', expected: { isNvidia: true, busy: true, currentGame: 12 } },
  { name: 'currentgame left over on a free GFE host is ignored', inner: '<state>MJOLNIR_STATE_SERVER_AVAILABLE</state><currentgame>12</currentgame>', expected: { isNvidia: true, busy: false, currentGame: 0 } },
  { name: 'ServerCodecModeSupport missing means H.264 only', inner: '', expected: { codecModeSupport: 1 } },
  { name: 'fields are found by name in any order', inner: '<state>SUNSHINE_SERVER_BUSY</state><ExternalPort>1234</ExternalPort><currentgame>7</currentgame><hostname>pc</hostname>', expected: { busy: true, currentGame: 7, externalPort: 1234, hostName: 'pc' } },
];

for (const d of derived) {
  test(`serverinfo: ${d.name}`, () => {
    const info = serverInfoOf(minimal(d.inner), true, d.httpPort);
    for (const [key, value] of Object.entries(d.expected)) assert.deepEqual(info[key as keyof ServerInfo], value, key);
  });
}

test('a serverinfo without uniqueid or with an unreadable appversion is malformed', () => {
  for (const body of ['<root status_code="200"><appversion>7.1.431.-1</appversion></root>', '<root status_code="200"><uniqueid>x</uniqueid><appversion>seven</appversion></root>', '<root status_code="200"><uniqueid>x</uniqueid></root>']) {
    const reply = parseXmlReply(body);
    assert.ok(reply.ok);
    const info = parseServerInfo(reply.value, { secure: false, httpPort: 47989 });
    assert.ok(!info.ok && info.error.kind === 'malformed-reply', body);
  }
});

test('appversion major is the first field', () => {
  assert.equal(parseAppVersionMajor('7.1.431.-1'), 7);
  assert.equal(parseAppVersionMajor('5.0.0.0'), 5);
  assert.equal(parseAppVersionMajor('12'), 12);
  assert.equal(parseAppVersionMajor(''), null);
  assert.equal(parseAppVersionMajor('x.1'), null);
});
