// The RTSP message reader and writer (src/session/rtsp-message.ts): every case whole, one
// byte at a time, and split at every offset (style guide F.4), plus the bounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRtspMessageReader,
  formatRtspRequest,
  formatRtspResponse,
  headerValue,
  MAX_RTSP_MESSAGE_BYTES,
  parseRtspMessage,
  type RtspMessage,
  type RtspParseError,
} from '../../../src/session/rtsp-message.ts';
import type { Result } from '../../../src/lib/result.ts';

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

interface Case {
  name: string;
  input: string;
  expected: { kind: 'response' | 'request'; start: string; headers: Array<[string, string]>; body: string };
}

const CASES: Case[] = [
  {
    name: 'Sunshine\'s OPTIONS reply',
    input: 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n',
    expected: { kind: 'response', start: '200 OK', headers: [['CSeq', '1']], body: '' },
  },
  {
    name: 'a DESCRIBE reply with an LF-only body',
    input: 'RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\na=x-ss-general.featureFlags:2\nsprop-parameter-sets=AAAAAU\n',
    expected: { kind: 'response', start: '200 OK', headers: [['CSeq', '2']], body: 'a=x-ss-general.featureFlags:2\nsprop-parameter-sets=AAAAAU\n' },
  },
  {
    name: 'a SETUP reply whose Session value has spaces',
    input: 'RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: DEADBEEFCAFE;timeout = 90\r\nTransport: server_port=48000\r\nX-SS-Ping-Payload: 109EFCD04B08809D\r\n\r\n',
    expected: {
      kind: 'response',
      start: '200 OK',
      headers: [['CSeq', '3'], ['Session', 'DEADBEEFCAFE;timeout = 90'], ['Transport', 'server_port=48000'], ['X-SS-Ping-Payload', '109EFCD04B08809D']],
      body: '',
    },
  },
  {
    name: 'an error reply with a two-word reason and LF line ends',
    input: 'RTSP/1.0 400 BAD REQUEST\nCSeq: 6\n\n',
    expected: { kind: 'response', start: '400 BAD REQUEST', headers: [['CSeq', '6']], body: '' },
  },
  {
    name: 'an ANNOUNCE request with Content-length',
    input: 'ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\nContent-type: application/sdp\r\nContent-length: 5\r\n\r\nv=0\r\n',
    expected: { kind: 'request', start: 'ANNOUNCE streamid=control/13/0', headers: [['CSeq', '6'], ['Content-type', 'application/sdp'], ['Content-length', '5']], body: 'v=0\r\n' },
  },
];

function summary(result: Result<RtspMessage, RtspParseError>): unknown {
  if (!result.ok) return result;
  const m = result.value;
  return {
    kind: m.kind,
    start: m.kind === 'response' ? `${m.statusCode} ${m.reason}` : `${m.method} ${m.target}`,
    headers: m.headers.map((h) => [h.name, h.value]),
    body: text(m.body),
  };
}

/** Feeds `input` in the given pieces, then ends the stream if the reader is still waiting. */
function readInPieces(input: Uint8Array, cuts: number[]): Result<RtspMessage, RtspParseError> {
  const reader = createRtspMessageReader();
  let from = 0;
  for (const to of [...cuts, input.length]) {
    const r = reader.push(input.subarray(from, to));
    if (!r.ok) return r;
    if (r.value !== null) {
      assert.equal(to, input.length, 'a message completed before its last byte');
      return { ok: true, value: r.value };
    }
    from = to;
  }
  return reader.end();
}

describe('parsing', () => {
  for (const c of CASES) {
    test(`${c.name}: whole, byte by byte and split at every offset give the same message`, () => {
      const input = bytes(c.input);
      assert.deepEqual(summary(parseRtspMessage(input)), c.expected);
      assert.deepEqual(summary(readInPieces(input, [])), c.expected);
      assert.deepEqual(summary(readInPieces(input, Array.from({ length: input.length - 1 }, (_, i) => i + 1))), c.expected);
      for (let cut = 0; cut <= input.length; cut += 1) assert.deepEqual(summary(readInPieces(input, [cut])), c.expected, `split at ${cut}`);
    });
  }

  test('a message with a declared length completes without waiting for the end of the stream', () => {
    const reader = createRtspMessageReader();
    const r = reader.push(bytes('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 2\r\n\r\nok'));
    assert.ok(r.ok && r.value !== null && text(r.value.body) === 'ok');
    assert.equal(reader.push(bytes('x')).ok, false, 'bytes after a complete message');
  });

  test('header names are matched exactly, as Sunshine\'s parser matches them', () => {
    const r = parseRtspMessage(bytes('RTSP/1.0 200 OK\r\ncseq: 1\r\nCSeq: 2\r\n\r\n'));
    assert.ok(r.ok);
    assert.equal(headerValue(r.value, 'CSeq'), '2');
    assert.equal(headerValue(r.value, 'Cseq'), null);
  });

  const BAD: Array<[string, string]> = [
    ['no blank line before the end', 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n'],
    ['an HTTP status line', 'HTTP/1.1 200 OK\r\n\r\n'],
    ['a status code of two digits', 'RTSP/1.0 20 OK\r\n\r\n'],
    ['a header line without a colon', 'RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n'],
    ['a header name with a space', 'RTSP/1.0 200 OK\r\nC Seq: 1\r\n\r\n'],
    ['a NUL byte in the head', 'RTSP/1.0 200 OK\r\nCSeq: \u00001\r\n\r\n'],
    ['a non-ASCII byte in the head', 'RTSP/1.0 200 OK\r\nCSeq: \u00e91\r\n\r\n'],
    ['a body shorter than its declared length', 'RTSP/1.0 200 OK\r\nContent-length: 9\r\n\r\nshort'],
    ['a declared length that is not a number', 'RTSP/1.0 200 OK\r\nContent-length: -1\r\n\r\n'],
    ['an empty start line', '\r\nCSeq: 1\r\n\r\n'],
  ];
  for (const [name, input] of BAD) {
    test(`refuses ${name}, whole and byte by byte`, () => {
      const whole = parseRtspMessage(bytes(input));
      assert.equal(whole.ok, false);
      assert.equal(readInPieces(bytes(input), Array.from({ length: input.length - 1 }, (_, i) => i + 1)).ok, false);
    });
  }

  test('a message of exactly the limit is read, one byte more is refused', () => {
    const head = 'RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n';
    const atLimit = bytes(head + 'x'.repeat(MAX_RTSP_MESSAGE_BYTES - head.length));
    assert.equal(parseRtspMessage(atLimit).ok, true);
    assert.equal(readInPieces(atLimit, [100, 20_000]).ok, true);
    const over = bytes(head + 'x'.repeat(MAX_RTSP_MESSAGE_BYTES - head.length + 1));
    assert.equal(parseRtspMessage(over).ok, false);
    const reader = createRtspMessageReader();
    assert.ok(reader.push(over.subarray(0, MAX_RTSP_MESSAGE_BYTES)).ok);
    assert.equal(reader.push(over.subarray(MAX_RTSP_MESSAGE_BYTES)).ok, false);
  });

  test('a head that never ends is refused at the limit, one byte at a time, without quadratic work', () => {
    const reader = createRtspMessageReader();
    const one = bytes('a');
    let refused = false;
    for (let i = 0; i <= MAX_RTSP_MESSAGE_BYTES && !refused; i += 1) refused = !reader.push(one).ok;
    assert.equal(refused, true);
  });
});

describe('writing', () => {
  test('a request is its start line, headers in order with CRLF, a blank line and the body', () => {
    const out = formatRtspRequest({ method: 'SETUP', target: 'streamid=audio/0/0', headers: [{ name: 'CSeq', value: '3' }, { name: 'Transport', value: 'unicast;X-GS-ClientPort=50000-50001' }], body: new Uint8Array(0) });
    assert.equal(text(out), 'SETUP streamid=audio/0/0 RTSP/1.0\r\nCSeq: 3\r\nTransport: unicast;X-GS-ClientPort=50000-50001\r\n\r\n');
  });

  test('a written response reads back as the same message', () => {
    const out = formatRtspResponse({ statusCode: 404, reason: 'NOT FOUND', headers: [{ name: 'CSeq', value: '4' }], body: bytes('x') });
    assert.deepEqual(summary(parseRtspMessage(out)), { kind: 'response', start: '404 NOT FOUND', headers: [['CSeq', '4']], body: 'x' });
  });
});
