// Base64 (RFC 4648, with padding) for keeping bytes in string-valued storage. Written out
// because neither Buffer (Node only) nor btoa over binary strings is usable on every target.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const left = bytes.length - i;
  if (left === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + '==';
  } else if (left === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + '=';
  }
  return out;
}

/** The bytes of padded base64 `text`, or null when it is not that. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  let at = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j += 1) {
      const c = text.charAt(i + j);
      const isPad = c === '=' && i + 4 === text.length && j >= 4 - padding;
      const v = isPad ? 0 : ALPHABET.indexOf(c);
      if (v < 0 || c === '') return null;
      n = (n << 6) | v;
    }
    const triple = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    for (const b of triple) if (at < out.length) out[at++] = b;
  }
  return out;
}
