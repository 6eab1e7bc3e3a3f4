// RTSP/1.0 messages as GameStream uses them (control-plane.md §6.2): a start line, `Name: value`
// header lines, a blank line, an optional body. Requests are written with CRLF line ends and
// the header names spelled exactly as Sunshine's case-sensitive parser wants them; replies are
// read leniently (CRLF or LF) because Sunshine's DESCRIBE body is LF-only.
//
// A plaintext reply carries no Content-Length (Sunshine's never do), so its end is the end of
// the TCP stream: the incremental reader completes a message at end of stream, or earlier
// when a Content-Length / Content-length header says how long the body is.

import { err, ok, type Result } from '../lib/result.ts';

export interface RtspHeader {
  name: string;
  value: string;
}

export type RtspMessage = RtspRequest | RtspResponse;

export interface RtspRequest {
  kind: 'request';
  method: string;
  target: string;
  headers: readonly RtspHeader[];
  body: Uint8Array;
}

export interface RtspResponse {
  kind: 'response';
  statusCode: number;
  reason: string;
  headers: readonly RtspHeader[];
  body: Uint8Array;
}

export type RtspParseError = { kind: 'rtsp-parse'; detail: string };

/** The value of the first header named exactly `name` (case-sensitive, as Sunshine matches). */
export function headerValue(message: { headers: readonly RtspHeader[] }, name: string): string | null {
  return message.headers.find((h) => h.name === name)?.value ?? null;
}

/** The request's bytes: headers in the given order, then the body as is (no header added). */
export function formatRtspRequest(req: Omit<RtspRequest, 'kind'>): Uint8Array {
  const head = `${req.method} ${req.target} ${RTSP_VERSION}\r\n${formatHeaders(req.headers)}\r\n`;
  return joinBytes(asciiBytes(head), req.body);
}

/** The response's bytes, for tests and fakes: status line, headers, blank line, body. */
export function formatRtspResponse(res: Omit<RtspResponse, 'kind'>): Uint8Array {
  const head = `${RTSP_VERSION} ${res.statusCode} ${res.reason}\r\n${formatHeaders(res.headers)}\r\n`;
  return joinBytes(asciiBytes(head), res.body);
}

/** One complete message: a decrypted frame, or everything read until the peer closed. */
export function parseRtspMessage(bytes: Uint8Array): Result<RtspMessage, RtspParseError> {
  if (bytes.length > MAX_RTSP_MESSAGE_BYTES) return malformed(`message of ${bytes.length} bytes is over the ${MAX_RTSP_MESSAGE_BYTES}-byte limit`);
  const end = findHeadEnd(bytes, 0);
  if (end === null) return malformed('the message ends before its blank line');
  const head = parseHead(bytes.subarray(0, end.headBytes));
  return head.ok ? finishMessage(head.value, bytes.slice(end.bodyStart)) : head;
}

/**
 * Reads one message from a byte stream: push() each chunk as it arrives, end() when the peer
 * closes. Holds at most MAX_RTSP_MESSAGE_BYTES, and each byte is scanned once.
 */
export interface RtspMessageReader {
  /** The message once complete (the body's length is known and all there), else null. */
  push(chunk: Uint8Array): Result<RtspMessage | null, RtspParseError>;
  /** The stream ended: the message as it stands, body up to here. */
  end(): Result<RtspMessage, RtspParseError>;
}

export function createRtspMessageReader(): RtspMessageReader {
  let buffer = new Uint8Array(INITIAL_READER_BYTES);
  let used = 0;
  let scannedTo = 0;
  let head: { parsed: Head; bodyStart: number; bodyLength: number | null } | null = null;
  let done = false;
  const append = (chunk: Uint8Array): void => {
    if (used + chunk.length > buffer.length) {
      const grown = new Uint8Array(Math.min(MAX_RTSP_MESSAGE_BYTES, Math.max(buffer.length * 2, used + chunk.length)));
      grown.set(buffer.subarray(0, used));
      buffer = grown;
    }
    buffer.set(chunk, used);
    used += chunk.length;
  };
  return {
    push(chunk) {
      if (done) return malformed('bytes after the end of the message');
      if (used + chunk.length > MAX_RTSP_MESSAGE_BYTES) return fail(`message over the ${MAX_RTSP_MESSAGE_BYTES}-byte limit`);
      append(chunk);
      if (head === null) {
        const end = findHeadEnd(buffer.subarray(0, used), scannedTo);
        // The blank line may straddle chunks: rescan the last three bytes next time.
        scannedTo = Math.max(0, used - 3);
        if (end === null) return ok(null);
        const parsed = parseHead(buffer.subarray(0, end.headBytes));
        if (!parsed.ok) return fail(parsed.error.detail);
        const length = declaredBodyLength(parsed.value.headers);
        if (length !== null && !length.ok) return fail(length.error.detail);
        head = { parsed: parsed.value, bodyStart: end.bodyStart, bodyLength: length === null ? null : length.value };
      }
      if (head.bodyLength === null) return ok(null);
      const total = head.bodyStart + head.bodyLength;
      if (used < total) return ok(null);
      if (used > total) return fail(`${used - total} bytes after the declared body`);
      done = true;
      return finishMessage(head.parsed, buffer.slice(head.bodyStart, used));
    },
    end() {
      if (done) return malformed('the message was already complete');
      done = true;
      return parseRtspMessage(buffer.subarray(0, used));
    },
  };

  function fail(detail: string): { ok: false; error: RtspParseError } {
    done = true;
    return malformed(detail);
  }
}

// ---- parsing ----

type Head = { startLine: string; headers: RtspHeader[] };
type HeadEnd = { headBytes: number; bodyStart: number };

function finishMessage(head: Head, body: Uint8Array): Result<RtspMessage, RtspParseError> {
  const length = declaredBodyLength(head.headers);
  if (length !== null) {
    if (!length.ok) return length;
    if (length.value !== body.length) return malformed(`the body has ${body.length} bytes, its header says ${length.value}`);
  }
  return startLine(head, body);
}

function startLine(head: Head, body: Uint8Array): Result<RtspMessage, RtspParseError> {
  const line = head.startLine;
  const response = /^RTSP\/1\.0 (\d{3})(?: (.*))?$/.exec(line);
  if (response !== null) {
    return ok({ kind: 'response', statusCode: Number(response[1]), reason: response[2] ?? '', headers: head.headers, body });
  }
  const request = /^([A-Z_]{1,32}) (\S{1,2048}) RTSP\/1\.0$/.exec(line);
  if (request !== null) {
    return ok({ kind: 'request', method: request[1] ?? '', target: request[2] ?? '', headers: head.headers, body });
  }
  return malformed(`not an RTSP/1.0 start line: ${printable(line)}`);
}

/** Where the head ends: the first empty line, CRLF or LF, looking from byte `from` on. */
function findHeadEnd(bytes: Uint8Array, from: number): HeadEnd | null {
  for (let i = from; i < bytes.length; i += 1) {
    if (bytes[i] !== LF) continue;
    // The line that ended here is empty when the previous byte is LF, or CR preceded by LF.
    if (i >= 1 && bytes[i - 1] === LF) return { headBytes: i - 1, bodyStart: i + 1 };
    if (i >= 2 && bytes[i - 1] === CR && bytes[i - 2] === LF) return { headBytes: i - 2, bodyStart: i + 1 };
  }
  return null;
}

function parseHead(bytes: Uint8Array): Result<Head, RtspParseError> {
  for (const b of bytes) if (b === 0 || b >= 0x80) return malformed('the header block has a byte that is not printable ASCII');
  const lines = latin1(bytes).split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const [first, ...rest] = lines;
  if (first === undefined || first === '') return malformed('empty start line');
  if (rest.length > MAX_HEADERS) return malformed(`more than ${MAX_HEADERS} header lines`);
  const headers: RtspHeader[] = [];
  for (const line of rest) {
    const colon = line.indexOf(':');
    if (colon <= 0) return malformed(`header line without a name: ${printable(line)}`);
    const name = line.slice(0, colon);
    if (!/^[!#-'*+\-.0-9A-Z^-z|~]+$/.test(name)) return malformed(`bad header name: ${printable(name)}`);
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  return ok({ startLine: first, headers });
}

/** The body length a header declares, null when none does. Both spellings occur (§6.4). */
function declaredBodyLength(headers: readonly RtspHeader[]): Result<number, RtspParseError> | null {
  const header = headers.find((h) => h.name.toLowerCase() === 'content-length');
  if (header === undefined) return null;
  if (!/^\d{1,9}$/.test(header.value)) return malformed(`bad ${header.name}: ${printable(header.value)}`);
  const length = Number(header.value);
  return length <= MAX_RTSP_MESSAGE_BYTES ? ok(length) : malformed(`${header.name} ${length} is over the limit`);
}

// ---- bytes and text ----

function formatHeaders(headers: readonly RtspHeader[]): string {
  return headers.map((h) => `${h.name}: ${h.value}\r\n`).join('');
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) throw new RangeError(`non-ASCII character in an RTSP message: ${JSON.stringify(text.slice(i, i + 8))}`);
    out[i] = code;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK_CHARS) out += String.fromCharCode(...bytes.subarray(i, i + CHUNK_CHARS));
  return out;
}

function joinBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function printable(text: string): string {
  return JSON.stringify(text.slice(0, 60));
}

function malformed(detail: string): { ok: false; error: RtspParseError } {
  return err({ kind: 'rtsp-parse', detail });
}

const RTSP_VERSION = 'RTSP/1.0';
const CR = 0x0d;
const LF = 0x0a;
// A DESCRIBE reply is a few hundred bytes and the largest request (ANNOUNCE) must stay under
// Sunshine's 2048-byte buffer (§6.4); GFE's DESCRIBE carries a real SDP of a few KiB. 64 KiB
// bounds what a hostile host can make us hold (MLC allows 1 MiB, far more than needed).
export const MAX_RTSP_MESSAGE_BYTES = 64 * 1024;
// Sunshine's replies have at most five header lines.
const MAX_HEADERS = 64;
// Most replies fit; the reader doubles its buffer up to the limit for longer ones.
const INITIAL_READER_BYTES = 1024;
// String.fromCharCode's argument count stays well under engines' limits.
const CHUNK_CHARS = 4096;
