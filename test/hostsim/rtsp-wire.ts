// The bytes of the simulator's RTSP port, as Sunshine reads and writes them (control-plane.md
// §6.1, §6.2, §6.4 "parser limits"): each request is read into one 2048-byte buffer; a body is
// awaited only when the header is spelled exactly `Content-length`; header names are matched
// case-sensitively and the value starts one character after the colon. When the launch asked
// for encrypted RTSP, a request is one frame (BE32 0x80000000 | length, BE32 sequence, tag,
// AES-128-GCM ciphertext) and every reply is one frame too. This is the host's own code,
// written apart from the client's (src/session/) so that one cannot hide the other's mistakes;
// both are checked against the real captures.

import { createCipheriv, createDecipheriv } from 'node:crypto';

export interface SimRtspRequest {
  method: string;
  target: string;
  /** In arrival order; names as sent. */
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
}

export type RequestRead =
  | { kind: 'request'; request: SimRtspRequest; sequence: number | null }
  /** Plaintext on a session that requires encryption. */
  | { kind: 'plaintext-refused' }
  /** More than the receive buffer holds. */
  | { kind: 'too-large' }
  /** An encrypted frame that did not authenticate with the client's direction letter. */
  | { kind: 'bad-frame' }
  | { kind: 'malformed' };

/** Whether `bytes` hold a whole request yet: null = wait for more. */
export function completeRequest(bytes: Buffer, encrypted: boolean, key: Uint8Array | null): RequestRead | null {
  if (bytes.length >= RECEIVE_BUFFER_BYTES) return { kind: 'too-large' };
  const framed = bytes.length >= 4 && (bytes.readUInt32BE(0) & ENCRYPTED_BIT) !== 0;
  if (encrypted && bytes.length >= 4 && !framed) return { kind: 'plaintext-refused' };
  if (framed) {
    if (key === null || bytes.length < FRAME_HEADER_BYTES) return key === null ? { kind: 'malformed' } : null;
    const length = bytes.readUInt32BE(0) & LENGTH_MASK;
    if (FRAME_HEADER_BYTES + length >= RECEIVE_BUFFER_BYTES) return { kind: 'too-large' };
    if (bytes.length < FRAME_HEADER_BYTES + length) return null;
    const sequence = bytes.readUInt32BE(4);
    const plaintext = openFrame(key, sequence, CLIENT_LETTER, bytes.subarray(8, FRAME_HEADER_BYTES), bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
    if (plaintext === null) return { kind: 'bad-frame' };
    const request = parseRequest(plaintext.toString('latin1'), true);
    return request === null ? { kind: 'malformed' } : { kind: 'request', request, sequence };
  }
  const text = bytes.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const request = parseRequest(text, false);
  if (request === null) return { kind: 'malformed' };
  const declared = request.headers.find(([name]) => name === 'Content-length');
  if (declared !== undefined && text.length - (headEnd + 4) < Number(declared[1])) return null;
  return { kind: 'request', request, sequence: null };
}

/** Status line, headers, blank line, body; sealed as a host frame when `seal` is given. */
export function renderReply(status: ReplyStatus, headers: ReadonlyArray<readonly [string, string]>, body: string, seal: { key: Uint8Array; sequence: number } | null): Buffer {
  const text = `RTSP/1.0 ${status.code} ${status.reason}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n${body}`;
  const plaintext = Buffer.from(text, 'latin1');
  return seal === null ? plaintext : sealFrame(seal.key, seal.sequence, HOST_LETTER, plaintext);
}

export interface ReplyStatus {
  code: number;
  reason: string;
}

// Sunshine's status lines (control-plane.md §6.3).
export const STATUS = {
  ok: { code: 200, reason: 'OK' },
  badRequest: { code: 400, reason: 'BAD REQUEST' },
  forbidden: { code: 403, reason: 'Forbidden' },
  notFound: { code: 404, reason: 'NOT FOUND' },
  internalError: { code: 500, reason: 'Internal Server Error' },
} as const;

/** A client frame, as a test client or a fuzz case builds one. */
export function sealClientFrame(key: Uint8Array, sequence: number, plaintext: Buffer): Buffer {
  return sealFrame(key, sequence, CLIENT_LETTER, plaintext);
}

/** A host frame's plaintext, or null when it does not authenticate. */
export function openHostFrame(key: Uint8Array, frame: Buffer): Buffer | null {
  if (frame.length < FRAME_HEADER_BYTES) return null;
  const length = frame.readUInt32BE(0) & LENGTH_MASK;
  if (frame.length !== FRAME_HEADER_BYTES + length) return null;
  return openFrame(key, frame.readUInt32BE(4), HOST_LETTER, frame.subarray(8, FRAME_HEADER_BYTES), frame.subarray(FRAME_HEADER_BYTES));
}

// ---- parsing ----

function parseRequest(text: string, wholeMessage: boolean): SimRtspRequest | null {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const lines = text.slice(0, headEnd).split('\r\n');
  const start = /^(\S+) (\S+) RTSP\/1\.0$/.exec(lines[0] ?? '');
  if (start === null) return null;
  const headers: Array<readonly [string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    // The value starts one character after the colon, whatever that character is (§6.2).
    headers.push([line.slice(0, colon), line.slice(colon + 2)]);
  }
  const rest = text.slice(headEnd + 4);
  const declared = headers.find(([name]) => name === 'Content-length');
  // Without `Content-length` Sunshine handles the request as soon as its head ends.
  const body = declared === undefined ? (wholeMessage ? rest : '') : rest.slice(0, Math.max(0, Number(declared[1]) || 0));
  return { method: start[1] ?? '', target: start[2] ?? '', headers, body };
}

// ---- frames ----

function nonce(sequence: number, letter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32LE(sequence >>> 0, 0);
  iv[10] = letter;
  iv[11] = FRAME_LETTER;
  return iv;
}

function sealFrame(key: Uint8Array, sequence: number, letter: number, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', key, nonce(sequence, letter));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = Buffer.alloc(8);
  header.writeUInt32BE((ENCRYPTED_BIT | plaintext.length) >>> 0, 0);
  header.writeUInt32BE(sequence >>> 0, 4);
  return Buffer.concat([header, cipher.getAuthTag(), ciphertext]);
}

function openFrame(key: Uint8Array, sequence: number, letter: number, tag: Buffer, ciphertext: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-128-gcm', key, nonce(sequence, letter));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** Sunshine's receive buffer (§6.4): a request, frame header included, must be smaller. */
export const RECEIVE_BUFFER_BYTES = 2048;
const FRAME_HEADER_BYTES = 24;
const ENCRYPTED_BIT = 0x80000000;
const LENGTH_MASK = 0x7fffffff;
const CLIENT_LETTER = 0x43; // 'C'
const HOST_LETTER = 0x48; // 'H'
const FRAME_LETTER = 0x52; // 'R'
