// PEM (RFC 7468) armour around DER, with its own base64 so that no platform API
// (atob, Buffer) is needed: the same code runs in a worker on the TV and in Node.

import { err, ok, type Result } from '../../lib/result.ts';

/** RFC 7468 generators wrap base64 at 64 characters; OpenSSL does the same. */
const PEM_LINE_CHARS = 64;

/**
 * Text of a PEM block bigger than this is refused before decoding: a certificate with an
 * RSA-4096 key is under 2 KiB of DER, so 1 MiB is far beyond anything real.
 */
export const PEM_MAX_CHARS = 1024 * 1024;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The DER inside the first PEM block of `pem`. With `label` (e.g. "CERTIFICATE") only a block
 * with that label is taken; without it, the first block whatever its label. BEGIN and END
 * labels must match. Whitespace inside the base64 is ignored; anything else is an error.
 */
export function pemToDer(pem: string, label?: string): Result<Uint8Array, string> {
  if (pem.length > PEM_MAX_CHARS) return err(`PEM text longer than ${PEM_MAX_CHARS} characters`);
  const labelPattern = label === undefined ? '([A-Z0-9 ]*)' : `(${escapeRegExp(label)})`;
  const begin = new RegExp(`-----BEGIN ${labelPattern}-----`).exec(pem);
  if (begin === null) return err(label === undefined ? 'no PEM block' : `no PEM block labelled ${label}`);
  const found = begin[1] ?? '';
  const bodyStart = begin.index + begin[0].length;
  const endMarker = `-----END ${found}-----`;
  const endAt = pem.indexOf(endMarker, bodyStart);
  if (endAt < 0) return err(`PEM block ${found} has no END line`);
  return base64Decode(pem.slice(bodyStart, endAt));
}

/** PEM text: BEGIN line, base64 in 64-character lines, END line, each ending in "\n". */
export function derToPem(der: Uint8Array, label: string): string {
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += PEM_LINE_CHARS) lines.push(b64.slice(i, i + PEM_LINE_CHARS));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}-----END ${label}-----\n`;
}

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    out += b === undefined ? '=' : ALPHABET[(n >> 6) & 63];
    out += c === undefined ? '=' : ALPHABET[n & 63];
  }
  return out;
}

/** Standard base64 with padding; whitespace is skipped, any other stray character fails. */
export function base64Decode(text: string): Result<Uint8Array, string> {
  const clean = text.replace(/[ \t\r\n]/g, '');
  if (clean.length % 4 !== 0) return err('base64 length is not a multiple of 4');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j += 1) {
      const ch = clean[i + j] ?? '';
      const isPad = ch === '=' && i + 4 === clean.length && j >= 4 - padding;
      const v = isPad ? 0 : ALPHABET.indexOf(ch);
      if (v < 0 || ch === '') return err(`bad base64 character "${ch}"`);
      n = (n << 6) | v;
    }
    const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    for (const b of bytes) {
      if (at < out.length) out[at++] = b;
    }
  }
  return ok(out);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
