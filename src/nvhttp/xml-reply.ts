// GameStream XML replies: one `<root status_code=… status_message=…>` element whose
// `status_code` decides success, whatever the HTTP status line said (control-plane.md §3.6).
// The text is checked for well-formedness first, because fast-xml-parser alone accepts
// broken XML silently; DOCTYPE is refused outright, so no entity defined by the host is
// ever expanded, and only the predefined and numeric entities are decoded (by us).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { err, ok, type Result } from '../lib/result.ts';
import type { ServiceError } from '../app/services.ts';

/** An element with its attributes, child elements in order, and its own text. */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: readonly XmlElement[];
  /** The element's direct text, entities decoded, not trimmed. */
  text: string;
}

export interface XmlReply {
  /** `status_code` as a signed 32-bit value (§3.6: parsed as 64-bit, then truncated). */
  statusCode: number;
  statusMessage: string;
  root: XmlElement;
}

export type MalformedReply = { kind: 'malformed-reply'; detail: string };

export function parseXmlReply(body: Uint8Array | string): Result<XmlReply, MalformedReply> {
  const decoded = typeof body === 'string' ? ok(body) : decodeUtf8(body);
  if (!decoded.ok) return decoded;
  const text = decoded.value;
  if (/<!DOCTYPE/i.test(text)) return malformed('the reply declares a DOCTYPE');
  const valid = XMLValidator.validate(text);
  if (valid !== true) return malformed(`invalid XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = findRoot(parser.parse(text));
  if (root === null) return malformed('missing root element');
  const rawStatus = root.attributes['status_code'];
  if (rawStatus === undefined) return malformed('missing status_code');
  const statusCode = parseStatusCode(rawStatus);
  if (statusCode === null) return malformed(`status_code is not an integer: ${rawStatus.slice(0, 40)}`);
  return ok({ statusCode, statusMessage: root.attributes['status_message'] ?? '', root });
}

/**
 * Success when `status_code` is 200. XML 401 means our certificate is not (or no longer)
 * accepted (§3.2, §8.1); any other code is the host's own error.
 */
export function checkStatus(reply: XmlReply): Result<XmlReply, ServiceError> {
  if (reply.statusCode === STATUS_OK) return ok(reply);
  if (reply.statusCode === STATUS_UNAUTHORIZED) return err({ kind: 'not-paired' });
  if (reply.statusCode === -1 && reply.statusMessage === 'Invalid') {
    // GFE's way of saying it has no audio capture device (§3.6); the clients show 418.
    return err({ kind: 'host-error', code: GFE_NO_AUDIO_CODE, message: 'The host has no audio capture device; reinstalling GeForce Experience may help' });
  }
  return err({ kind: 'host-error', code: reply.statusCode, message: reply.statusMessage });
}

/** The first child element named `name`, or null. */
export function childElement(element: XmlElement, name: string): XmlElement | null {
  return element.children.find((c) => c.name === name) ?? null;
}

/** Trimmed text of the first child named `name`, or null when there is no such child. */
export function childText(element: XmlElement, name: string): string | null {
  const child = childElement(element, name);
  return child === null ? null : child.text.trim();
}

/**
 * `status_code` (§3.6): decimal, possibly negative or written unsigned (4294967295 for -1).
 * Read as a 64-bit integer and truncated to signed 32 bits, as moonlight-android does; done
 * on digits so that no BigInt is needed on older TV engines.
 */
export function parseStatusCode(raw: string): number | null {
  const m = /^([-+]?)0*(\d{1,19})$/.exec(raw.trim());
  if (m === null) return null;
  const negative = m[1] === '-';
  const digits = m[2] ?? '';
  if (exceedsInt64(digits, negative)) return null;
  let low32 = 0; // the value modulo 2^32; each step stays below 2^36, exact in a double
  for (const d of digits) low32 = (low32 * 10 + Number(d)) % TWO_POW_32;
  if (negative) low32 = (TWO_POW_32 - low32) % TWO_POW_32;
  return low32 | 0;
}

function exceedsInt64(digits: string, negative: boolean): boolean {
  const limit = negative ? '9223372036854775808' : '9223372036854775807';
  return digits.length > limit.length || (digits.length === limit.length && digits > limit);
}

const TWO_POW_32 = 0x100000000;
const STATUS_OK = 200;
const STATUS_UNAUTHORIZED = 401;
const GFE_NO_AUDIO_CODE = 418;

// preserveOrder keeps a regular shape (arrays of nodes) for any input; every value stays a
// string, parsed by the reader of each field.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
});

function malformed(detail: string): { ok: false; error: MalformedReply } {
  return err({ kind: 'malformed-reply', detail });
}

function decodeUtf8(bytes: Uint8Array): Result<string, MalformedReply> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return malformed('the reply is not UTF-8 text');
  }
}

function findRoot(nodes: unknown): XmlElement | null {
  if (!Array.isArray(nodes)) return null;
  for (const node of nodes) {
    const element = toElement(node, 0);
    if (element !== null && element.name === 'root') return element;
  }
  return null;
}

/** fast-xml-parser's preserveOrder node: `{ [tag]: node[], ':@'?: attributes }` or `{ '#text': s }`. */
function toElement(node: unknown, depth: number): XmlElement | null {
  if (typeof node !== 'object' || node === null || depth > MAX_DEPTH) return null;
  const record = node as Record<string, unknown>;
  const name = Object.keys(record).find((k) => k !== ':@' && k !== '#text' && !k.startsWith('?'));
  if (name === undefined) return null;
  const content = record[name];
  const attributes: Record<string, string> = {};
  const rawAttributes = record[':@'];
  if (typeof rawAttributes === 'object' && rawAttributes !== null) {
    for (const [key, value] of Object.entries(rawAttributes)) {
      if (typeof value === 'string') attributes[key] = decodeEntities(value);
    }
  }
  const children: XmlElement[] = [];
  let text = '';
  if (Array.isArray(content)) {
    for (const child of content) {
      if (typeof child === 'object' && child !== null && '#text' in child) {
        const t = (child as Record<string, unknown>)['#text'];
        if (typeof t === 'string' || typeof t === 'number') text += decodeEntities(String(t));
        continue;
      }
      const element = toElement(child, depth + 1);
      if (element !== null) children.push(element);
    }
  }
  return { name, attributes, children, text };
}

// fast-xml-parser stops at its own nesting limit (100) before this matters; GameStream
// replies are three levels deep at most (root/SupportedDisplayMode/DisplayMode).
const MAX_DEPTH = 100;

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}
