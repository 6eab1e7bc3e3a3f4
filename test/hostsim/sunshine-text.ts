// Sunshine's lenient decoders for query values, reproduced so that bad input gets the answer
// Sunshine gives instead of one we invented. Sunshine never rejects bad hex or a bad number:
// its hex decoder skips characters that are not letters or digits and reads any letter as a
// digit; its integer reader turns every character into (char - '0'). Garbage in gives garbage
// bytes out, and the protocol checks downstream (hashes, signatures, lookups) then fail.

/** Bytes of `hex` the way Sunshine's from_hex_vec reads them (control-plane.md 4.4). */
export function sunshineHexDecode(hex: string): Uint8Array {
  const digits: number[] = [];
  for (const ch of hex) {
    const code = ch.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) digits.push(code - 0x30);
    else if (isLetterAfterCaseFold(code)) digits.push((((code | 0x20) - 0x61 + 10) & 0xff));
  }
  // Pairs are taken from the end, so an odd count drops the first digit.
  const count = Math.floor(digits.length / 2);
  const out = new Uint8Array(count);
  const skip = digits.length - count * 2;
  for (let i = 0; i < count; i += 1) {
    out[i] = (((digits[skip + 2 * i] ?? 0) << 4) | (digits[skip + 2 * i + 1] ?? 0)) & 0xff;
  }
  return out;
}

/** Upper-case hex, as Sunshine writes every hex value in its XML. */
export function hexUpper(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out.toUpperCase();
}

/** Sunshine's util::from_view: a decimal int64 read with no validation at all. */
export function sunshineInt64(text: string): bigint {
  const ten = BigInt(10);
  let result = BigInt(0);
  if (text.length === 0) return result;
  let mul = BigInt(1);
  for (let i = text.length - 1; i >= 1; i -= 1) {
    result = BigInt.asIntN(64, result + BigInt(text.charCodeAt(i) - 0x30) * mul);
    mul = BigInt.asIntN(64, mul * ten);
  }
  if (text[0] === '-') return BigInt.asIntN(64, -result);
  return BigInt.asIntN(64, result + BigInt(text.charCodeAt(0) - 0x30) * mul);
}

/** `from_view(text) != 0`, as Sunshine reads its boolean parameters. */
export function sunshineFlag(text: string): boolean {
  return sunshineInt64(text) !== BigInt(0);
}

/** The sign of `from_view(text)`: Sunshine launches an app only for appid > 0. */
export function sunshinePositive(text: string): boolean {
  return sunshineInt64(text) > BigInt(0);
}

/** `(int) from_view(text)`: the low 32 bits as a signed number. */
export function sunshineInt32(text: string): number {
  return Number(BigInt.asIntN(32, sunshineInt64(text)));
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
export function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(BigInt.asIntN(32, BigInt(m[1] ?? '0')));
}

/** Sunshine's test for a hex digit is "a digit, or a letter once OR-ed with 0x20". */
function isLetterAfterCaseFold(code: number): boolean {
  const folded = (code | 0x20) & 0xff;
  return folded >= 0x61 && folded <= 0x7a;
}
