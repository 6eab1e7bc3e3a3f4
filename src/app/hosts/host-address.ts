// Turns what a person typed ("192.168.1.20", "gaming-pc:48989", "[fe80::1]:47989", "::1")
// into the host and HTTP port the nvhttp client needs, or an error saying what is wrong.

import { err, ok, type Result } from '../../lib/result.ts';
import type { InvalidAddressReason, ServiceError } from '../services.ts';

/** The default GameStream HTTP port (control-plane.md 1.1: Sunshine's default base port). */
export const DEFAULT_HTTP_PORT = 47989;

export interface HostAddress {
  /** Host name or IP literal, IPv6 without brackets. */
  host: string;
  family: 'ipv4' | 'ipv6' | 'name';
  httpPort: number;
  /** Normalised for display and comparison: `host` or `host:port`, IPv6 in brackets. */
  display: string;
}

export function parseHostAddress(input: string): Result<HostAddress, ServiceError> {
  const text = input.trim();
  const fail = (reason: InvalidAddressReason): Result<HostAddress, ServiceError> =>
    err({ kind: 'invalid-address', input, reason });
  if (text.length === 0) return fail('empty');
  // A pasted URL ("http://pc:47989/") would otherwise be read as host "http" with a bad port.
  if (text.length > MAX_ADDRESS_CHARS || /[/\s@?#]/.test(text)) return fail('bad-name');

  const split = splitHostAndPort(text);
  if (!split.ok) return fail(split.error);
  const { hostPart, portText } = split.value;

  let httpPort = DEFAULT_HTTP_PORT;
  if (portText !== null) {
    const port = parsePort(portText);
    if (port === null) return fail('bad-port');
    httpPort = port;
  }

  const host = classifyHost(hostPart);
  if (!host.ok) return fail(host.error);
  return ok({ ...host.value, httpPort, display: formatDisplay(host.value.host, host.value.family, httpPort) });
}

/** The normalised form of `host` + `httpPort`, as stored in HostView.address. */
export function formatDisplay(host: string, family: HostAddress['family'], httpPort: number): string {
  const shown = family === 'ipv6' ? `[${host}]` : host;
  return httpPort === DEFAULT_HTTP_PORT ? shown : `${shown}:${httpPort}`;
}

export function isIpv4Literal(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !(p.length > 1 && p.startsWith('0')));
}

export function isIpv6Literal(text: string): boolean {
  const zoneAt = text.indexOf('%');
  const addr = zoneAt >= 0 ? text.slice(0, zoneAt) : text;
  if (zoneAt >= 0 && !/^[A-Za-z0-9_.-]{1,32}$/.test(text.slice(zoneAt + 1))) return false;
  if (!/^[0-9A-Fa-f:.]+$/.test(addr)) return false;

  // An embedded IPv4 tail ("::ffff:10.0.0.1") counts as two groups.
  let groups = addr;
  let extraGroups = 0;
  const lastColon = addr.lastIndexOf(':');
  const tail = addr.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpv4Literal(tail)) return false;
    groups = addr.slice(0, lastColon + 1) + '0';
    extraGroups = 1;
  }

  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const countGroups = (half: string): number | null => {
    if (half === '') return 0;
    const parts = half.split(':');
    return parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p)) ? parts.length : null;
  };
  const counts = halves.map(countGroups);
  if (counts.some((c) => c === null)) return false;
  const total = counts.reduce<number>((sum, c) => sum + (c ?? 0), 0) + extraGroups;
  return halves.length === 2 ? total < 8 : total === 8;
}

type SplitResult = Result<{ hostPart: string; portText: string | null }, InvalidAddressReason>;

function splitHostAndPort(text: string): SplitResult {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return err('bad-ipv6');
    const rest = text.slice(close + 1);
    if (rest === '') return ok({ hostPart: text.slice(1, close), portText: null });
    if (!rest.startsWith(':')) return err('bad-ipv6');
    return ok({ hostPart: text.slice(1, close), portText: rest.slice(1) });
  }
  const colons = text.split(':').length - 1;
  // Two or more colons without brackets can only be a bare IPv6 literal: a port cannot be
  // told apart from the last group, so none is read.
  if (colons >= 2) return ok({ hostPart: text, portText: null });
  if (colons === 1) {
    const at = text.indexOf(':');
    return ok({ hostPart: text.slice(0, at), portText: text.slice(at + 1) });
  }
  return ok({ hostPart: text, portText: null });
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

function classifyHost(hostPart: string): Result<Pick<HostAddress, 'host' | 'family'>, InvalidAddressReason> {
  if (hostPart.includes(':')) {
    return isIpv6Literal(hostPart) ? ok({ host: hostPart.toLowerCase(), family: 'ipv6' }) : err('bad-ipv6');
  }
  // Something made only of digits and dots is meant as an IPv4 address, never a name.
  if (/^[\d.]+$/.test(hostPart)) {
    return isIpv4Literal(hostPart) ? ok({ host: hostPart, family: 'ipv4' }) : err('bad-ipv4');
  }
  const name = hostPart.endsWith('.') ? hostPart.slice(0, -1) : hostPart;
  if (!isHostName(name)) return err('bad-name');
  return ok({ host: name.toLowerCase(), family: 'name' });
}

function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_HOST_NAME_CHARS) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/** RFC 1035 2.3.4: a name is at most 253 characters in its text form (255 octets on the wire). */
const MAX_HOST_NAME_CHARS = 253;
/** Longest input worth looking at: a bracketed IPv6 literal with zone id and port is far shorter. */
const MAX_ADDRESS_CHARS = 300;
