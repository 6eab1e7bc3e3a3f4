// DER (ITU-T X.690 distinguished encoding) reading and writing, for X.509 certificates.
// Pure TypeScript with no platform API, so the client (browser, worker, TV) and the Node
// host simulator share it.
//
// The reader is bounded: every length is checked against the bytes that remain, nesting is
// limited to DER_MAX_DEPTH, and only the forms certificates use are accepted (one-byte tags,
// definite lengths of at most four length bytes). Input that breaks a rule is an error value,
// never an exception or a loop that does not end.

import { joinBytes } from '../../lib/bytes.ts';
import { err, ok, type Result } from '../../lib/result.ts';

/** Identifier octets of the universal and context tags that certificates use. */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One TLV. `contents` and `encoded` are views into the parsed input, not copies. */
export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number). */
  tag: number;
  contents: Uint8Array;
  /** The whole element: identifier, length and contents. */
  encoded: Uint8Array;
  /** Parsed children when the constructed bit (0x20) is set; empty otherwise. */
  children: DerElement[];
}

/**
 * Deepest nesting accepted. An X.509 certificate nests about 8 deep (extensions inside
 * OCTET STRINGs are not descended into); 32 leaves room and keeps recursion shallow.
 */
export const DER_MAX_DEPTH = 32;

/** Length fields of more than 4 bytes would describe objects beyond 4 GiB: never a certificate. */
const MAX_LENGTH_OCTETS = 4;

/** Parses `input` as exactly one DER element; trailing bytes are an error. */
export function parseDer(input: Uint8Array): Result<DerElement, string> {
  const first = readElement(input, 0, 0);
  if (!first.ok) return first;
  if (first.value.next !== input.length) {
    return err(`${input.length - first.value.next} trailing bytes after the DER element`);
  }
  return ok(first.value.element);
}

/** Checks the identifier octet of an element and names what was expected on mismatch. */
export function expectTag(element: DerElement | undefined, tag: number, what: string): Result<DerElement, string> {
  if (element === undefined) return err(`${what}: missing`);
  if (element.tag !== tag) {
    return err(`${what}: expected tag 0x${hexByte(tag)}, found 0x${hexByte(element.tag)}`);
  }
  return ok(element);
}

/** Dotted-decimal text of an OBJECT IDENTIFIER's contents. */
export function decodeOid(contents: Uint8Array): Result<string, string> {
  if (contents.length === 0) return err('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (const byte of contents) {
    if (!started && byte === 0x80) return err('OBJECT IDENTIFIER arc with a leading 0x80');
    started = true;
    // Arcs above 2^53 cannot be exact numbers; no certificate uses such arcs.
    if (value > Number.MAX_SAFE_INTEGER / 128) return err('OBJECT IDENTIFIER arc too large');
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
      started = false;
    }
  }
  if (started) return err('OBJECT IDENTIFIER ends inside an arc');
  const head = arcs[0] ?? 0;
  const firstArc = head < 40 ? 0 : head < 80 ? 1 : 2;
  return ok([firstArc, head - firstArc * 40, ...arcs.slice(1)].join('.'));
}

/** The value of an INTEGER as unsigned big-endian bytes (a sign-padding 0x00 removed). */
export function decodeUnsignedInteger(element: DerElement): Result<Uint8Array, string> {
  const contents = element.contents;
  if (contents.length === 0) return err('empty INTEGER');
  if (contents.length > 1 && contents[0] === 0x00 && ((contents[1] ?? 0) & 0x80) !== 0) {
    return ok(contents.slice(1));
  }
  return ok(contents.slice());
}

/** Milliseconds since the Unix epoch of a UTCTime or GeneralizedTime (UTC, "Z" form). */
export function decodeTime(element: DerElement): Result<number, string> {
  const text = latin1(element.contents);
  if (element.tag === DerTag.UTC_TIME) {
    const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (m === null) return err(`bad UTCTime "${text}"`);
    const yy = Number(m[1]);
    // RFC 5280 4.1.2.5.1: two-digit years 50-99 are 19xx, 00-49 are 20xx.
    return timeFromParts(yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2, 7), '');
  }
  if (element.tag === DerTag.GENERALIZED_TIME) {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,9})?Z$/.exec(text);
    if (m === null) return err(`bad GeneralizedTime "${text}"`);
    return timeFromParts(Number(m[1]), m.slice(2, 7), m[7] ?? '');
  }
  return err(`expected a time, found tag 0x${hexByte(element.tag)}`);
}

/** Text of the string types found in distinguished names. */
export function decodeString(element: DerElement): Result<string, string> {
  switch (element.tag) {
    case DerTag.UTF8_STRING: {
      const text = utf8Decode(element.contents);
      return text === null ? err('UTF8String is not valid UTF-8') : ok(text);
    }
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING:
    case DerTag.T61_STRING:
      return ok(latin1(element.contents));
    case DerTag.BMP_STRING: {
      if (element.contents.length % 2 !== 0) return err('BMPString of odd length');
      let text = '';
      for (let i = 0; i < element.contents.length; i += 2) {
        text += String.fromCharCode(((element.contents[i] ?? 0) << 8) | (element.contents[i + 1] ?? 0));
      }
      return ok(text);
    }
    default:
      return err(`expected a string, found tag 0x${hexByte(element.tag)}`);
  }
}

// ---- writer ----

/** One element from its identifier octet and contents. */
export function derEncode(tag: number, contents: Uint8Array): Uint8Array {
  const length = encodeLength(contents.length);
  const out = new Uint8Array(1 + length.length + contents.length);
  out[0] = tag;
  out.set(length, 1);
  out.set(contents, 1 + length.length);
  return out;
}

export function derSequence(...children: Uint8Array[]): Uint8Array {
  return derEncode(DerTag.SEQUENCE, joinBytes(children));
}

export function derSet(...children: Uint8Array[]): Uint8Array {
  return derEncode(DerTag.SET, joinBytes(children));
}

/** An INTEGER from unsigned big-endian bytes (empty means zero). */
export function derUnsignedInteger(bigEndian: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bigEndian.length - 1 && bigEndian[start] === 0) start += 1;
  const magnitude = bigEndian.length === 0 ? new Uint8Array([0]) : bigEndian.subarray(start);
  // A set top bit would read as negative: DER adds one zero byte in front.
  const needsPad = ((magnitude[0] ?? 0) & 0x80) !== 0;
  return derEncode(DerTag.INTEGER, needsPad ? joinBytes([new Uint8Array([0]), magnitude]) : magnitude);
}

/** A small non-negative INTEGER (version numbers). */
export function derSmallInteger(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new Error(`bad small integer ${value}`);
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return derUnsignedInteger(new Uint8Array(bytes));
}

/** An OBJECT IDENTIFIER from dotted-decimal text; a malformed literal is our bug. */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [a, b] = arcs;
  if (a === undefined || b === undefined || arcs.some((x) => !Number.isSafeInteger(x) || x < 0) || a > 2) {
    throw new Error(`bad OID literal ${dotted}`);
  }
  const out: number[] = [];
  for (const arc of [a * 40 + b, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(v % 128);
      v = Math.floor(v / 128);
    } while (v > 0);
    groups.forEach((g, i) => out.push(i < groups.length - 1 ? g | 0x80 : g));
  }
  return derEncode(DerTag.OID, new Uint8Array(out));
}

export function derNull(): Uint8Array {
  return derEncode(DerTag.NULL, new Uint8Array(0));
}

/** A BIT STRING of whole bytes (no unused bits), as keys and signatures are. */
export function derBitString(bytes: Uint8Array): Uint8Array {
  return derEncode(DerTag.BIT_STRING, joinBytes([new Uint8Array([0]), bytes]));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derEncode(DerTag.OCTET_STRING, bytes);
}

export function derUtf8String(text: string): Uint8Array {
  return derEncode(DerTag.UTF8_STRING, new TextEncoder().encode(text));
}

/** A PrintableString; the text must be in its character set (see isPrintableString). */
export function derPrintableString(text: string): Uint8Array {
  if (!isPrintableString(text)) throw new Error(`not printable: ${text}`);
  return derEncode(DerTag.PRINTABLE_STRING, new TextEncoder().encode(text));
}

/** Whether X.680's PrintableString can hold `text`. */
export function isPrintableString(text: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text);
}

/** UTCTime "YYMMDDHHMMSSZ"; whole seconds, years 1950-2049. */
export function derUtcTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new Error(`UTCTime cannot hold year ${year}`);
  return derEncode(DerTag.UTC_TIME, ascii(pad2(year % 100) + timeTail(d)));
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ"; whole seconds. */
export function derGeneralizedTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new Error(`GeneralizedTime cannot hold year ${year}`);
  return derEncode(DerTag.GENERALIZED_TIME, ascii(String(year).padStart(4, '0') + timeTail(d)));
}

/** The time type RFC 5280 4.1.2.5 requires: UTCTime through 2049, GeneralizedTime after. */
export function derCertificateTime(ms: number): Uint8Array {
  const year = new Date(ms).getUTCFullYear();
  return year >= 1950 && year <= 2049 ? derUtcTime(ms) : derGeneralizedTime(ms);
}

/** A context-specific tag `[n]` wrapping encoded elements (EXPLICIT tagging). */
export function derExplicit(tagNumber: number, ...inner: Uint8Array[]): Uint8Array {
  return derEncode(contextTag(tagNumber, true), joinBytes(inner));
}

/** The identifier octet of `[n]`, constructed or primitive. */
export function contextTag(tagNumber: number, constructed: boolean): number {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) throw new Error(`bad context tag ${tagNumber}`);
  return 0x80 | (constructed ? 0x20 : 0) | tagNumber;
}


// ---- helpers ----

function readElement(
  input: Uint8Array,
  offset: number,
  depth: number,
): Result<{ element: DerElement; next: number }, string> {
  if (depth > DER_MAX_DEPTH) return err(`DER nesting deeper than ${DER_MAX_DEPTH}`);
  const tag = input[offset];
  if (tag === undefined) return err('DER input ends before an identifier octet');
  if ((tag & 0x1f) === 0x1f) return err('multi-byte DER tags are not supported');
  const lengthByte = input[offset + 1];
  if (lengthByte === undefined) return err('DER input ends before a length');
  let length: number;
  let headerSize: number;
  if (lengthByte < 0x80) {
    length = lengthByte;
    headerSize = 2;
  } else {
    const count = lengthByte & 0x7f;
    if (count === 0) return err('indefinite length is not DER');
    if (count > MAX_LENGTH_OCTETS) return err(`length field of ${count} bytes`);
    if (offset + 2 + count > input.length) return err('DER input ends inside a length');
    length = 0;
    for (let i = 0; i < count; i += 1) length = length * 256 + (input[offset + 2 + i] ?? 0);
    headerSize = 2 + count;
  }
  const start = offset + headerSize;
  const remaining = input.length - start;
  if (length > remaining) return err(`DER length ${length} exceeds the ${remaining} bytes left`);
  const end = start + length;
  const element: DerElement = {
    tag,
    contents: input.subarray(start, end),
    encoded: input.subarray(offset, end),
    children: [],
  };
  if ((tag & 0x20) !== 0) {
    let at = start;
    // Each child consumes at least two bytes, so this loop ends.
    while (at < end) {
      const child = readElement(input.subarray(0, end), at, depth + 1);
      if (!child.ok) return child;
      element.children.push(child.value.element);
      at = child.value.next;
    }
  }
  return ok({ element, next: end });
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  let v = length;
  while (v > 0) {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

function timeFromParts(year: number, rest: string[], fraction: string): Result<number, string> {
  const [month, day, hour, minute, second] = rest.map(Number);
  if (month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) {
    return err('incomplete time');
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return err('time field out of range');
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March; DER times must name a real day.
  if (new Date(ms).getUTCDate() !== day) return err('no such day');
  const fractionMs = fraction === '' ? 0 : Math.floor(Number(`0${fraction}`) * 1000);
  return ok(ms + fractionMs);
}

function timeTail(d: Date): string {
  return (
    pad2(d.getUTCMonth() + 1) +
    pad2(d.getUTCDate()) +
    pad2(d.getUTCHours()) +
    pad2(d.getUTCMinutes()) +
    pad2(d.getUTCSeconds()) +
    'Z'
  );
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return text;
}

function utf8Decode(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}
