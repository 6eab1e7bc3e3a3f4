import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStatus, childText, parseStatusCode, parseXmlReply } from '../../../src/nvhttp/xml-reply.ts';
import { fixtureBody, SUNSHINE_VERSIONS } from './fixture-replies.ts';

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

const statusCodes: Array<{ input: string; expected: number | null }> = [
  { input: '200', expected: 200 },
  { input: '-1', expected: -1 },
  { input: '4294967295', expected: -1 }, // GFE's unsigned -1 (§3.6)
  { input: '4294967296', expected: 0 },
  { input: '2147483648', expected: -2147483648 },
  { input: '-2147483649', expected: 2147483647 },
  { input: '9223372036854775807', expected: -1 },
  { input: '-9223372036854775808', expected: 0 },
  { input: '9223372036854775808', expected: null }, // beyond 64 bits
  { input: '00401', expected: 401 },
  { input: ' 404 ', expected: 404 },
  { input: '+200', expected: 200 },
  { input: '', expected: null },
  { input: '20x', expected: null },
  { input: '2.0', expected: null },
  { input: '0x1F', expected: null },
];

for (const c of statusCodes) {
  test(`status_code "${c.input}" reads as ${String(c.expected)}`, () => {
    assert.equal(parseStatusCode(c.input), c.expected);
  });
}

test('a 200 reply is accepted and its attributes and children are readable', () => {
  const r = parseXmlReply(`${XML_DECL}<root status_code="200"><hostname>Tom &amp; Jerry&#39;s &#x263A; PC</hostname><mac/></root>`);
  assert.ok(r.ok);
  assert.equal(r.value.statusCode, 200);
  assert.equal(childText(r.value.root, 'hostname'), "Tom & Jerry's \u263a PC");
  assert.equal(childText(r.value.root, 'mac'), '');
  assert.equal(childText(r.value.root, 'absent'), null);
  assert.ok(checkStatus(r.value).ok);
});

test('the XML status decides, and 401 means not paired', () => {
  const r = parseXmlReply('<root status_code="401" query="/serverinfo" status_message="The client is not authorized. Certificate verification failed."/>');
  assert.ok(r.ok);
  assert.deepEqual(checkStatus(r.value), { ok: false, error: { kind: 'not-paired' } });
});

test('another status code is a host error carrying code and message', () => {
  const r = parseXmlReply('<root status_code="400" status_message="An app is already running on this host"></root>');
  assert.ok(r.ok);
  assert.deepEqual(checkStatus(r.value), { ok: false, error: { kind: 'host-error', code: 400, message: 'An app is already running on this host' } });
});

test('a negative status code written unsigned is a host error with a negative code', () => {
  const r = parseXmlReply('<root status_code="4294967295" status_message="Failed to start the specified application"/>');
  assert.ok(r.ok);
  const checked = checkStatus(r.value);
  assert.ok(!checked.ok);
  assert.deepEqual(checked.error, { kind: 'host-error', code: -1, message: 'Failed to start the specified application' });
});

test("GFE's -1 Invalid becomes the no-audio-device error 418", () => {
  const r = parseXmlReply('<root status_code="-1" status_message="Invalid"/>');
  assert.ok(r.ok);
  const checked = checkStatus(r.value);
  assert.ok(!checked.ok && checked.error.kind === 'host-error' && checked.error.code === 418);
});

const malformed: Array<{ name: string; input: string | Uint8Array; detail: RegExp }> = [
  { name: 'an empty body', input: '', detail: /invalid XML/ },
  { name: 'plain text', input: 'Not Found', detail: /invalid XML/ },
  { name: 'an unclosed tag', input: '<root status_code="200"><a></root>', detail: /invalid XML/ },
  { name: 'a truncated document', input: `${XML_DECL}<root status_code="200"><hostname>pc</host`, detail: /invalid XML/ },
  { name: 'no root element', input: `${XML_DECL}<response status_code="200"/>`, detail: /missing root element/ },
  { name: 'a root without status_code', input: '<root><paired>1</paired></root>', detail: /missing status_code/ },
  { name: 'a non-numeric status_code', input: '<root status_code="OK"/>', detail: /not an integer/ },
  { name: 'a DOCTYPE with entities', input: '<!DOCTYPE root [<!ENTITY a "aaaaaaaaaa">]><root status_code="200">&a;</root>', detail: /DOCTYPE/ },
  { name: 'bytes that are not UTF-8', input: new Uint8Array([0x3c, 0x72, 0x6f, 0x6f, 0x74, 0xff, 0x3e]), detail: /not UTF-8/ },
];

for (const m of malformed) {
  test(`${m.name} is a malformed reply`, () => {
    const r = parseXmlReply(m.input);
    assert.ok(!r.ok, JSON.stringify(r));
    assert.equal(r.error.kind, 'malformed-reply');
    assert.match(r.error.detail, m.detail);
  });
}

test('undeclared entities are left as text, never expanded', () => {
  const r = parseXmlReply('<root status_code="200"><hostname>a &nbsp; b</hostname></root>');
  assert.ok(r.ok);
  assert.equal(childText(r.value.root, 'hostname'), 'a &nbsp; b');
});

for (const version of SUNSHINE_VERSIONS) {
  test(`real Sunshine ${version} launch and cancel replies read as status 200 with their fields`, () => {
    const launch = parseXmlReply(fixtureBody(version, 'launch-https'));
    assert.ok(launch.ok);
    assert.equal(launch.value.statusCode, 200);
    assert.equal(childText(launch.value.root, 'sessionUrl0'), 'rtspenc://127.0.0.1:48010');
    assert.equal(childText(launch.value.root, 'gamesession'), '1');
    const cancel = parseXmlReply(fixtureBody(version, 'cancel-https'));
    assert.ok(cancel.ok);
    assert.equal(childText(cancel.value.root, 'cancel'), '1');
  });

  test(`real Sunshine ${version} serverinfo keeps the nested display modes as elements`, () => {
    const reply = parseXmlReply(fixtureBody(version, 'serverinfo-http'));
    assert.ok(reply.ok);
    const modes = reply.value.root.children.find((c) => c.name === 'SupportedDisplayMode')?.children ?? [];
    // v0.23.1 lists 11 resolutions x 5 refresh rates; later releases dropped the list (§10.1).
    assert.equal(modes.length, version === 'v0.23.1' ? 55 : 0);
  });
}
