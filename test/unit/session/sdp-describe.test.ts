// The host's DESCRIBE offer and the Opus layouts read from it (src/session/sdp-describe.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opusLayoutFor, parseDescribeBody, parseSurroundParams, type DescribeOffer } from '../../../src/session/sdp-describe.ts';

const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

// Current Sunshine's DESCRIBE body (captures, sunshine-2026.817).
const SUNSHINE_BODY = [
  'a=x-ss-general.featureFlags:2',
  'a=x-ss-general.encryptionSupported:7',
  'a=x-ss-general.encryptionRequested:1',
  'sprop-parameter-sets=AAAAAU',
  'a=fmtp:97 surround-params=21101',
  'a=fmtp:97 surround-params=21101',
  'a=fmtp:97 surround-params=642012453',
  'a=fmtp:97 surround-params=660012345',
  'a=fmtp:97 surround-params=85301245367',
  'a=fmtp:97 surround-params=88001234567',
  '',
].join('\n');

function offer(body: string): DescribeOffer {
  const r = parseDescribeBody(ascii(body));
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test('Sunshine\'s body gives its flags, HEVC, no AV1, no RFI, and the six layouts in order', () => {
  assert.deepEqual(offer(SUNSHINE_BODY), {
    hostFeatureFlags: 2,
    encryptionSupported: 7,
    encryptionRequested: 1,
    referenceFrameInvalidation: false,
    hevc: true,
    av1: false,
    surroundParams: ['21101', '21101', '642012453', '660012345', '85301245367', '88001234567'],
  });
});

test('CRLF lines, hexadecimal flags, the AV1 and RFI lines are understood', () => {
  const o = offer('a=x-ss-general.featureFlags:0x3\r\na=x-nv-video[0].refPicInvalidation:1\r\na=rtpmap:98 AV1/90000\r\n');
  assert.equal(o.hostFeatureFlags, 3);
  assert.equal(o.referenceFrameInvalidation, true);
  assert.equal(o.av1, true);
  assert.equal(o.hevc, false);
});

test('a GFE-like body without x-ss lines means no flags and no SS encryption', () => {
  const o = offer('v=0\r\nm=video 0 RTP/AVP 96\r\n');
  assert.equal(o.hostFeatureFlags, 0);
  assert.equal(o.encryptionSupported, 0);
  assert.equal(o.encryptionRequested, 0);
});

test('a flag that is not a 32-bit number is refused', () => {
  for (const bad of ['a=x-ss-general.encryptionSupported:seven', 'a=x-ss-general.featureFlags:4294967296', 'a=x-ss-general.featureFlags:0x123456789']) {
    assert.equal(parseDescribeBody(ascii(bad)).ok, false, bad);
  }
});

test('Sunshine\'s normal-quality surround lines come out in decoder order, high quality as sent', () => {
  const o = offer(SUNSHINE_BODY);
  assert.deepEqual(opusLayoutFor(o, 2, false, 'sunshine'), { ok: true, value: { streams: 1, coupledStreams: 1, mapping: [0, 1] } });
  assert.deepEqual(opusLayoutFor(o, 6, false, 'sunshine'), { ok: true, value: { streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5] } });
  assert.deepEqual(opusLayoutFor(o, 6, true, 'sunshine'), { ok: true, value: { streams: 6, coupledStreams: 0, mapping: [0, 1, 2, 3, 4, 5] } });
  // data-plane.md §3.2: on real 7.1 streams only the identity mapping puts every channel in place.
  assert.deepEqual(opusLayoutFor(o, 8, false, 'sunshine'), { ok: true, value: { streams: 5, coupledStreams: 3, mapping: [0, 1, 2, 3, 4, 5, 6, 7] } });
  assert.deepEqual(opusLayoutFor(o, 8, true, 'sunshine'), { ok: true, value: { streams: 8, coupledStreams: 0, mapping: [0, 1, 2, 3, 4, 5, 6, 7] } });
});

test('GFE\'s normal-quality lines list LFE last, which moves to the fourth place', () => {
  const o = offer(SUNSHINE_BODY);
  assert.deepEqual(opusLayoutFor(o, 6, false, 'gfe'), { ok: true, value: { streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5] } });
  assert.deepEqual(opusLayoutFor(o, 8, false, 'gfe'), { ok: true, value: { streams: 5, coupledStreams: 3, mapping: [0, 1, 2, 7, 4, 5, 3, 6] } });
});

test('without a 5.1 line the standard 5.1 layout is used; without a 7.1 line there is none', () => {
  const o = offer('a=x-ss-general.featureFlags:0\n');
  assert.deepEqual(opusLayoutFor(o, 6, false, 'sunshine'), { ok: true, value: { streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5] } });
  assert.equal(opusLayoutFor(o, 8, false, 'sunshine').ok, false);
  assert.equal(opusLayoutFor(o, 6, true, 'sunshine').ok, false);
});

test('surround-params that cannot describe an Opus multistream layout are refused', () => {
  const bad = ['64201245', '6420124533', '642012x53', '702012453', '602012345', '623012345', '642012456'];
  for (const digits of bad) assert.equal(parseSurroundParams(digits, 6).ok, false, digits);
});
