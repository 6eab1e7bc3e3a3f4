// The HTTP/1.1 of Sunshine's GameStream ports, written by hand instead of with node:http so
// that the bytes match the captures (control-plane.md 10): a status line, only the headers
// Sunshine's server library writes (Content-Length, and Content-Type for box art), no
// keep-alive, one request per connection. Request reading is bounded in size and time.

import type { Duplex } from 'node:stream';

export interface HttpRequest {
  method: string;
  /** The path without the query, as routed. */
  path: string;
  query: QueryArgs;
  /** Lower-cased names. */
  headers: Map<string, string>;
}

/**
 * Query arguments as Sunshine's server library reads them: names compared without regard
 * to case, values percent-decoded with '+' as a space, the first of repeated names wins.
 * Values are byte strings (one char per decoded byte), as C++ std::string holds them.
 */
export interface QueryArgs {
  get(name: string): string | undefined;
  has(name: string): boolean;
}

export type ReadFailure = 'closed' | 'timeout' | 'too-large' | 'malformed';

/**
 * Limit of a request head. Sunshine sets none; a pairing request with a client certificate
 * is about 3 KiB, so 64 KiB is generous and keeps a hostile client from filling memory.
 */
export const MAX_REQUEST_HEAD_BYTES = 64 * 1024;

/** Sunshine's server library gives a client 5 s to send its request (timeout_request). */
export const REQUEST_TIMEOUT_MS = 5000;

/** Reads one request head from `socket`. Any body is left unread: GameStream requests are GETs. */
export function readRequest(socket: Duplex, timeoutMs = REQUEST_TIMEOUT_MS): Promise<{ ok: true; request: HttpRequest } | { ok: false; failure: ReadFailure }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: { ok: true; request: HttpRequest } | { ok: false; failure: ReadFailure }): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const all = Buffer.concat(chunks, size);
      const end = all.indexOf('\r\n\r\n');
      if (end >= 0 && end + 4 <= MAX_REQUEST_HEAD_BYTES) {
        const request = parseHead(all.subarray(0, end).toString('latin1'));
        finish(request === null ? { ok: false, failure: 'malformed' } : { ok: true, request });
      } else if (size > MAX_REQUEST_HEAD_BYTES) {
        finish({ ok: false, failure: 'too-large' });
      }
    };
    const onEnd = (): void => finish({ ok: false, failure: 'closed' });
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout' }), timeoutMs);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onEnd);
    socket.resume();
  });
}

/** A whole response as Sunshine's server library frames it. */
export function frameResponse(statusLine: string, headers: [string, string][], body: Uint8Array): Buffer {
  const head = [`HTTP/1.1 ${statusLine}`, ...headers.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Writes, then closes our side once the bytes are out; a vanished peer is not an error here. */
export function sendAndClose(socket: Duplex, bytes: Uint8Array): void {
  if (socket.destroyed) return;
  socket.end(bytes);
}

export function parseQuery(text: string): QueryArgs {
  const pairs: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : percentDecode(part.slice(eq + 1));
    pairs.push([name.toLowerCase(), value]);
  }
  return {
    get: (name) => pairs.find(([k]) => k === name.toLowerCase())?.[1],
    has: (name) => pairs.some(([k]) => k === name.toLowerCase()),
  };
}

function parseHead(text: string): HttpRequest | null {
  const lines = text.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const target = m[2] ?? '/';
  const q = target.indexOf('?');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    method: m[1] ?? 'GET',
    path: q < 0 ? target : target.slice(0, q),
    query: parseQuery(q < 0 ? '' : target.slice(q + 1)),
    headers,
  };
}

/** The library's decoder: %XX read with strtol (so bad digits give 0), '+' as a space. */
function percentDecode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '%' && i + 2 < text.length) {
      const m = /^[0-9a-fA-F]+/.exec(text.slice(i + 1, i + 3));
      out += String.fromCharCode(m === null ? 0 : parseInt(m[0], 16));
      i += 2;
    } else if (ch === '+') {
      out += ' ';
    } else {
      out += ch;
    }
  }
  return out;
}
