// Incremental HTTP/1.x response parser, sans-IO: bytes in, one response out.
//
// Theory of operation. The parser is in one of these states:
//   head      reading the status line and headers (up to the blank line)
//   length    reading a body of Content-Length bytes
//   chunked   reading a chunked body (size line, data, CRLF, ..., last chunk, trailers)
//   to-close  reading a body that ends when the peer closes the connection
//   done      a response is complete; later bytes are ignored
//   failed    the answer was not HTTP we accept, or it was too large
// `push` feeds received bytes; `finish` says the peer closed. Both return `need-more` until
// the response is complete. It is tolerant of what GameStream hosts send: LF-only line ends,
// a missing reason phrase, interim 1xx responses, and bytes after a Content-Length body
// (Sunshine's not-found handler appends a stray status line after its body, §3.6).

export interface HttpResponse {
  statusCode: number;
  reason: string;
  /** Header fields in order, names lowercased. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

export type ParseProgress =
  | { kind: 'need-more' }
  | { kind: 'done'; response: HttpResponse }
  | { kind: 'error'; detail: string };

export interface ResponseParser {
  push(bytes: Uint8Array): ParseProgress;
  /** The connection ended: completes a body read to close, or fails a partial answer. */
  finish(): ParseProgress;
  /** Bytes received so far, for error messages. */
  readonly receivedBytes: number;
}

/** Text of the first header named `name` (lowercase), or null. */
export function headerValue(response: HttpResponse, name: string): string | null {
  for (const [n, v] of response.headers) if (n === name) return v;
  return null;
}

export const TOO_LARGE = 'answer too large';

export function createResponseParser(options: { maxBodyBytes: number }): ResponseParser {
  type State = 'head' | 'length' | 'chunked' | 'to-close' | 'done' | 'failed';
  let state: State = 'head';
  let progress: ParseProgress = { kind: 'need-more' };
  let buffer: Uint8Array = new Uint8Array(0);
  let receivedBytes = 0;
  let headScanFrom = 0; // where to resume looking for the blank line that ends the head
  let head: { statusCode: number; reason: string; headers: Array<[string, string]> } | null = null;
  let remainingBytes = 0; // of the Content-Length body, or of the current chunk's data
  let chunkStage: 'size' | 'data' | 'data-end' | 'trailers' = 'size';
  const bodyParts: Uint8Array[] = [];
  let bodyBytes = 0;

  const fail = (detail: string): ParseProgress => {
    state = 'failed';
    buffer = new Uint8Array(0);
    progress = { kind: 'error', detail };
    return progress;
  };

  const complete = (): ParseProgress => {
    if (head === null) throw new Error('complete() before the head');
    state = 'done';
    buffer = new Uint8Array(0);
    progress = { kind: 'done', response: { ...head, body: joinParts(bodyParts, bodyBytes) } };
    return progress;
  };

  const addBody = (bytes: Uint8Array): boolean => {
    if (bytes.length === 0) return true;
    bodyBytes += bytes.length;
    if (bodyBytes > options.maxBodyBytes) return false;
    bodyParts.push(bytes.slice());
    return true;
  };

  /** Takes one line (without its line end) from the buffer, or null when none is complete. */
  const takeLine = (limitBytes: number): string | null | 'too-long' => {
    const lf = buffer.indexOf(LF);
    if (lf < 0) return buffer.length > limitBytes ? 'too-long' : null;
    if (lf > limitBytes) return 'too-long';
    const end = lf > 0 && buffer[lf - 1] === CR ? lf - 1 : lf;
    const line = latin1(buffer.subarray(0, end));
    buffer = buffer.subarray(lf + 1);
    return line;
  };

  const stepHead = (): ParseProgress | null => {
    // Fail at once on something that is not HTTP (an HTTPS port spoken to in plain text, a
    // wrong service) instead of waiting for a blank line that may never come.
    for (let i = 0; i < Math.min(buffer.length, HTTP_PREFIX.length); i += 1) {
      if (buffer[i] !== HTTP_PREFIX.charCodeAt(i)) return fail(`not an HTTP/1.x answer: "${latin1(buffer.subarray(0, 40))}"`);
    }
    const end = findHeadEnd(buffer, headScanFrom);
    headScanFrom = Math.max(0, buffer.length - 3);
    if (end === null) {
      return buffer.length > MAX_HEAD_BYTES ? fail(`${TOO_LARGE}: headers over ${MAX_HEAD_BYTES} bytes`) : { kind: 'need-more' };
    }
    if (end.headEnd > MAX_HEAD_BYTES) return fail(`${TOO_LARGE}: headers over ${MAX_HEAD_BYTES} bytes`);
    const parsed = parseHead(latin1(buffer.subarray(0, end.headEnd)));
    buffer = buffer.subarray(end.bodyStart);
    headScanFrom = 0;
    if (typeof parsed === 'string') return fail(parsed);
    if (parsed.statusCode < 200) return null; // an interim response; the real one follows
    head = parsed;
    const framing = bodyFraming(parsed);
    if (typeof framing === 'string') return fail(framing);
    if (framing.kind === 'none') return complete();
    if (framing.kind === 'chunked') {
      state = 'chunked';
      return null;
    }
    if (framing.kind === 'to-close') {
      state = 'to-close';
      return null;
    }
    if (framing.lengthBytes > options.maxBodyBytes) return fail(`${TOO_LARGE}: ${framing.lengthBytes} bytes announced, limit ${options.maxBodyBytes}`);
    state = 'length';
    remainingBytes = framing.lengthBytes;
    return remainingBytes === 0 ? complete() : null;
  };

  const stepChunked = (): ParseProgress | null => {
    if (chunkStage === 'size') {
      const line = takeLine(MAX_CHUNK_LINE_BYTES);
      if (line === 'too-long') return fail('chunk size line too long');
      if (line === null) return { kind: 'need-more' };
      const m = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
      if (m === null) return fail(`invalid chunk size line "${line.slice(0, 40)}"`);
      remainingBytes = parseInt(m[1] ?? '', 16);
      if (bodyBytes + remainingBytes > options.maxBodyBytes) return fail(`${TOO_LARGE}: over ${options.maxBodyBytes} bytes`);
      chunkStage = remainingBytes === 0 ? 'trailers' : 'data';
      return null;
    }
    if (chunkStage === 'data') {
      if (buffer.length === 0) return { kind: 'need-more' };
      const take = Math.min(remainingBytes, buffer.length);
      addBody(buffer.subarray(0, take));
      buffer = buffer.subarray(take);
      remainingBytes -= take;
      if (remainingBytes === 0) chunkStage = 'data-end';
      return null;
    }
    if (chunkStage === 'data-end') {
      // The CRLF that closes each chunk's data.
      const line = takeLine(2);
      if (line === null) return { kind: 'need-more' };
      if (line !== '') return fail('chunk data longer than its size');
      chunkStage = 'size';
      return null;
    }
    const trailer = takeLine(MAX_HEAD_BYTES);
    if (trailer === 'too-long') return fail(`${TOO_LARGE}: trailers over ${MAX_HEAD_BYTES} bytes`);
    if (trailer === null) return { kind: 'need-more' };
    return trailer === '' ? complete() : null;
  };

  /** One step of work; null means "call again", a progress value means "stop here". */
  const step = (): ParseProgress | null => {
    switch (state) {
      case 'head':
        return stepHead();
      case 'length': {
        if (buffer.length === 0) return { kind: 'need-more' };
        const take = Math.min(remainingBytes, buffer.length);
        addBody(buffer.subarray(0, take));
        remainingBytes -= take;
        buffer = new Uint8Array(0); // whatever follows the announced body is not ours
        return remainingBytes === 0 ? complete() : { kind: 'need-more' };
      }
      case 'chunked':
        return stepChunked();
      case 'to-close': {
        const ok = addBody(buffer);
        buffer = new Uint8Array(0);
        return ok ? { kind: 'need-more' } : fail(`${TOO_LARGE}: over ${options.maxBodyBytes} bytes`);
      }
      case 'done':
      case 'failed':
        return progress;
    }
  };

  return {
    get receivedBytes() {
      return receivedBytes;
    },
    push(bytes) {
      if (state === 'done' || state === 'failed') return progress;
      receivedBytes += bytes.length;
      buffer = buffer.length === 0 ? bytes : joinParts([buffer, bytes], buffer.length + bytes.length);
      // Each step consumes input or moves to another state, so a few steps per byte suffice.
      const maxSteps = 4 * buffer.length + 16;
      for (let guard = 0; guard < maxSteps; guard += 1) {
        const result = step();
        if (result !== null) return result;
      }
      throw new Error('response parser made no progress');
    },
    finish() {
      if (state === 'done' || state === 'failed') return progress;
      if (state === 'to-close') return complete();
      if (receivedBytes === 0) return fail('the connection closed before any answer');
      if (state === 'head') return fail(`the connection closed within the headers, after ${receivedBytes} bytes`);
      return fail(`the connection closed before the end of the body, after ${receivedBytes} bytes`);
    },
  };
}

type Framing = { kind: 'none' } | { kind: 'length'; lengthBytes: number } | { kind: 'chunked' } | { kind: 'to-close' };

function bodyFraming(head: { statusCode: number; headers: Array<[string, string]> }): Framing | string {
  if (head.statusCode === 204 || head.statusCode === 304) return { kind: 'none' };
  const encodings = head.headers.filter(([n]) => n === 'transfer-encoding').map(([, v]) => v.toLowerCase());
  if (encodings.length > 0) {
    const last = encodings.join(',').split(',').map((s) => s.trim()).filter((s) => s !== '').pop();
    // RFC 9112 §6.3: chunked must be the final coding; without it the body runs to the close.
    return last === 'chunked' ? { kind: 'chunked' } : { kind: 'to-close' };
  }
  const lengths = head.headers.filter(([n]) => n === 'content-length').flatMap(([, v]) => v.split(',').map((s) => s.trim()));
  if (lengths.length === 0) return { kind: 'to-close' };
  const first = lengths[0] ?? '';
  if (!/^\d{1,15}$/.test(first) || lengths.some((l) => l !== first)) return `invalid Content-Length "${lengths.join(', ').slice(0, 40)}"`;
  return { kind: 'length', lengthBytes: Number(first) };
}

function parseHead(text: string): { statusCode: number; reason: string; headers: Array<[string, string]> } | string {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (status === null) return `not an HTTP/1.x answer: "${(lines[0] ?? '').slice(0, 40)}"`;
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const previous = headers[headers.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && previous !== undefined) {
      previous[1] = `${previous[1]} ${line.trim()}`; // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return `invalid header line "${line.slice(0, 40)}"`;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { statusCode: Number(status[1]), reason: status[2] ?? '', headers };
}

/** End of the header block: CRLFCRLF or, tolerated, LFLF (also mixed). */
function findHeadEnd(buffer: Uint8Array, fromIndex: number): { headEnd: number; bodyStart: number } | null {
  for (let i = buffer.indexOf(LF, fromIndex); i >= 0 && i < buffer.length; i = buffer.indexOf(LF, i + 1)) {
    if (buffer[i + 1] === LF) return { headEnd: i, bodyStart: i + 2 };
    if (buffer[i + 1] === CR && buffer[i + 2] === LF) return { headEnd: i, bodyStart: i + 3 };
  }
  return null;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function joinParts(parts: Uint8Array[], totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const HTTP_PREFIX = 'HTTP/';
const CR = 0x0d;
const LF = 0x0a;
// h11's default limit for an incomplete head; a GameStream reply's head is under 100 bytes.
const MAX_HEAD_BYTES = 16 * 1024;
// A chunk size line is up to 8 hex digits plus extensions we ignore.
const MAX_CHUNK_LINE_BYTES = 1024;
