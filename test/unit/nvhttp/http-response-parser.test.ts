import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createResponseParser, headerValue, type ParseProgress } from '../../../src/nvhttp/http-response-parser.ts';

const fixturesDir = new URL('../../fixtures/sunshine/', import.meta.url);
const MIB = 1024 * 1024;

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Feeds the chunks in order, then (when the parser still wants more) says the peer closed. */
function parseChunks(chunks: Uint8Array[], maxBodyBytes = MIB, closeAtEnd = true): ParseProgress {
  const parser = createResponseParser({ maxBodyBytes });
  let last: ParseProgress = { kind: 'need-more' };
  for (const c of chunks) {
    last = parser.push(c);
    if (last.kind !== 'need-more') return last;
  }
  return closeAtEnd ? parser.finish() : last;
}

/** Whole, one byte at a time, and split in two at every offset: all must agree. */
function everySplit(bytes: Uint8Array): Array<{ how: string; chunks: Uint8Array[] }> {
  const out = [
    { how: 'whole', chunks: [bytes] },
    { how: 'byte at a time', chunks: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) },
  ];
  for (let i = 1; i < bytes.length; i += 1) out.push({ how: `split at ${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] });
  return out;
}

function assertSameEverywhere(bytes: Uint8Array, check: (p: ParseProgress, how: string) => void, options: { maxBodyBytes?: number; closeAtEnd?: boolean } = {}): void {
  for (const { how, chunks } of everySplit(bytes)) check(parseChunks(chunks, options.maxBodyBytes, options.closeAtEnd), how);
}

function expectDone(p: ParseProgress, how: string): { statusCode: number; reason: string; body: string; headers: ReadonlyArray<readonly [string, string]> } {
  assert.equal(p.kind, 'done', `${how}: ${JSON.stringify(p)}`);
  if (p.kind !== 'done') throw new Error('unreachable');
  return { statusCode: p.response.statusCode, reason: p.response.reason, body: dec(p.response.body), headers: p.response.headers };
}

// What Sunshine's not-found handler writes (control-plane.md §3.6): an XML 404 in a 200
// response, then a stray status line after the body.
const NOT_FOUND_XML = '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="404" status_message="Not Found"/>';

const cases: Array<{ name: string; input: string; status: number; body: string; closeAtEnd?: boolean }> = [
  { name: 'Content-Length body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', status: 200, body: 'hello', closeAtEnd: false },
  { name: 'bytes after Content-Length ignored (Sunshine 404 handler)', input: `HTTP/1.1 200 OK\r\nContent-Length: ${NOT_FOUND_XML.length}\r\n\r\n${NOT_FOUND_XML}HTTP/1.1 404 Not Found\r\n`, status: 200, body: NOT_FOUND_XML, closeAtEnd: false },
  { name: 'chunked body with extension and trailer', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n', status: 200, body: 'hello world', closeAtEnd: false },
  { name: 'body until close', input: 'HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<root/>', status: 200, body: '<root/>' },
  { name: 'LF-only line ends and no reason phrase', input: 'HTTP/1.1 404\nContent-Length: 2\n\nab', status: 404, body: 'ab', closeAtEnd: false },
  { name: 'interim 100 Continue skipped', input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', status: 200, body: 'x', closeAtEnd: false },
  { name: 'empty Content-Length body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', status: 200, body: '', closeAtEnd: false },
  { name: 'Transfer-Encoding wins over Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', status: 200, body: 'ok', closeAtEnd: false },
];

for (const c of cases) {
  test(`parses a response with ${c.name}, whole, byte at a time and split at every offset`, () => {
    assertSameEverywhere(enc(c.input), (p, how) => {
      const r = expectDone(p, how);
      assert.equal(r.statusCode, c.status, how);
      assert.equal(r.body, c.body, how);
    }, c.closeAtEnd === undefined ? {} : { closeAtEnd: c.closeAtEnd });
  });
}

test('every real Sunshine reply parses to its Content-Length body, however it is split', () => {
  for (const version of ['v0.23.1', 'v2026.817']) {
    const dir = new URL(`${version}/`, fixturesDir);
    const files = readdirSync(dir).filter((f) => f.endsWith('.response'));
    assert.ok(files.length >= 7, `${version} has its fixtures`);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(new URL(file, dir)));
      const announced = Number(/Content-Length: (\d+)/.exec(dec(bytes))?.[1]);
      // Splitting at every offset of 6 KB replies is 6000 parses; byte at a time and a
      // sample of offsets keep this test quick while still crossing the head/body boundary.
      const splits = everySplit(bytes).filter((_, i) => i < 2 || i % 97 === 0 || (i > 30 && i < 50));
      for (const { how, chunks } of splits) {
        const r = expectDone(parseChunks(chunks, MIB, false), `${version}/${file} ${how}`);
        assert.equal(r.statusCode, 200);
        assert.equal(r.body.length, announced);
        assert.ok(r.body.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<root status_code="200">'), file);
      }
    }
  }
});

test('header names are lowercased and folded lines joined', () => {
  const p = parseChunks([enc('HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nX-Long: a\r\n b\r\nContent-Length: 0\r\n\r\n')]);
  assert.equal(p.kind, 'done');
  if (p.kind !== 'done') return;
  assert.equal(headerValue(p.response, 'content-type'), 'image/png');
  assert.equal(headerValue(p.response, 'x-long'), 'a b');
  assert.equal(headerValue(p.response, 'missing'), null);
});

const failures: Array<{ name: string; input: string; detail: RegExp; maxBodyBytes?: number }> = [
  { name: 'not HTTP', input: '<?xml version="1.0"?><root/>', detail: /not an HTTP\/1.x answer/ },
  { name: 'a header line without a colon', input: 'HTTP/1.1 200 OK\r\nbogus\r\n\r\n', detail: /invalid header line/ },
  { name: 'conflicting Content-Length values', input: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc', detail: /invalid Content-Length/ },
  { name: 'a negative Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', detail: /invalid Content-Length/ },
  { name: 'a bad chunk size', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', detail: /invalid chunk size/ },
  { name: 'chunk data longer than announced', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n', detail: /longer than its size/ },
  { name: 'a truncated Content-Length body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', detail: /closed before the end of the body/ },
  { name: 'a truncated chunked body', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', detail: /closed before the end of the body/ },
  { name: 'a truncated head', input: 'HTTP/1.1 200 OK\r\nContent-Le', detail: /closed within the headers/ },
  { name: 'a Content-Length above the limit', input: 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n', detail: /^answer too large/, maxBodyBytes: 10 },
  { name: 'a body to the close above the limit', input: `HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(11)}`, detail: /^answer too large/, maxBodyBytes: 10 },
  { name: 'a chunked body above the limit', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\nabcde\r\n0\r\n\r\n', detail: /^answer too large/, maxBodyBytes: 10 },
];

for (const f of failures) {
  test(`rejects ${f.name}, however it is split`, () => {
    assertSameEverywhere(enc(f.input), (p, how) => {
      assert.equal(p.kind, 'error', `${how}: ${JSON.stringify(p)}`);
      if (p.kind === 'error') assert.match(p.detail, f.detail, how);
    }, f.maxBodyBytes === undefined ? {} : { maxBodyBytes: f.maxBodyBytes });
  });
}

test('a body exactly at the limit is accepted, one byte more is too large', () => {
  const at = parseChunks([enc(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n${'x'.repeat(10)}`)], 10, false);
  assert.equal(at.kind, 'done');
  const over = parseChunks([enc(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(11)}`)], 10, false);
  assert.equal(over.kind, 'error');
});

test('a head longer than 16 KiB is too large even before it ends', () => {
  const parser = createResponseParser({ maxBodyBytes: MIB });
  assert.equal(parser.push(enc('HTTP/1.1 200 OK\r\n')).kind, 'need-more');
  const p = parser.push(enc(`X-Pad: ${'a'.repeat(17 * 1024)}`));
  assert.equal(p.kind, 'error');
  if (p.kind === 'error') assert.match(p.detail, /^answer too large: headers/);
});

test('a connection closed before any byte is reported as such', () => {
  const p = createResponseParser({ maxBodyBytes: MIB }).finish();
  assert.deepEqual(p, { kind: 'error', detail: 'the connection closed before any answer' });
});

test('after a complete response, later bytes change nothing', () => {
  const parser = createResponseParser({ maxBodyBytes: MIB });
  const first = parser.push(enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  assert.equal(first.kind, 'done');
  assert.deepEqual(parser.push(enc('HTTP/1.1 404 Not Found\r\n\r\n')), first);
  assert.deepEqual(parser.finish(), first);
});
