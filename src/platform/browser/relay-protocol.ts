// The wire protocol between the browser build and the local relay (src/relay/), shared by
// both ends. It must stay free of platform imports: the browser bundle includes it.
//
// One WebSocket carries one socket:
//   ws://127.0.0.1:PORT/tcp?token=T&host=H&port=P&timeoutMs=N
//   ws://127.0.0.1:PORT/udp?token=T&family=4|6&broadcast=0|1
// Text frames are small JSON control messages (RelayEvent from the relay, RelayCommand
// from the app). Binary frames carry data: raw stream bytes for TCP; for UDP a datagram
// frame, whose header names the far end (destination when sent, source when received):
//   u8 hostLength | host (UTF-8 IP literal or name, hostLength bytes) | u16 port (BE) | payload
// A wrong token closes the WebSocket with RELAY_CLOSE_POLICY before anything else happens.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError } from '../platform.ts';

export const RELAY_TCP_PATH = '/tcp';
export const RELAY_UDP_PATH = '/udp';

/** One TCP chunk or one UDP payload; every IPv4/IPv6 UDP payload (at most 65527 bytes) fits. */
export const RELAY_MAX_DATA_BYTES = 65536;
/** A host name is at most 253 characters (RFC 1035); 255 keeps the length in one byte. */
export const RELAY_MAX_HOST_BYTES = 255;
const DATAGRAM_HEADER_FIXED_BYTES = 3;
/** The largest frame either side may send; the relay closes the WebSocket above it. */
export const RELAY_MAX_FRAME_BYTES = RELAY_MAX_DATA_BYTES + DATAGRAM_HEADER_FIXED_BYTES + RELAY_MAX_HOST_BYTES;
/** Control messages are a few dozen bytes; anything longer is not ours. */
const MAX_CONTROL_CHARS = 1024;

/** WebSocket close codes (RFC 6455 section 7.4.1). */
export const RELAY_CLOSE_NORMAL = 1000;
export const RELAY_CLOSE_POLICY = 1008;
export const RELAY_CLOSE_TOO_BIG = 1009;
export const RELAY_CLOSE_TRY_LATER = 1013;

/** Relay to app. */
export type RelayEvent =
  | { kind: 'connected' } // TCP: the target accepted
  | { kind: 'bound'; port: number } // UDP: the relay's socket is ready
  | { kind: 'end' } // TCP: the target closed its side; no data follows
  | { kind: 'error'; error: NetError } // fatal; the relay closes the WebSocket next
  | { kind: 'send-failed'; error: NetError }; // UDP: one datagram could not be sent

/** App to relay. */
export type RelayCommand = { kind: 'pause' } | { kind: 'resume' }; // TCP flow control

export interface RelayDatagram {
  host: string;
  port: number;
  payload: Uint8Array;
}

export function tcpRelayUrl(relayUrl: string, token: string, host: string, port: number, timeoutMs: number): string {
  return `${base(relayUrl)}${RELAY_TCP_PATH}?token=${enc(token)}&host=${enc(host)}&port=${port}&timeoutMs=${Math.ceil(timeoutMs)}`;
}

export function udpRelayUrl(relayUrl: string, token: string, family: 4 | 6, broadcast: boolean): string {
  return `${base(relayUrl)}${RELAY_UDP_PATH}?token=${enc(token)}&family=${family}&broadcast=${broadcast ? 1 : 0}`;
}

export function encodeRelayMessage(message: RelayEvent | RelayCommand): string {
  return JSON.stringify(message);
}

export function parseRelayEvent(text: string): Result<RelayEvent, string> {
  const value = parseObject(text);
  if (value === null) return err('not a JSON object');
  switch (value['kind']) {
    case 'connected':
    case 'end':
      return ok({ kind: value['kind'] });
    case 'bound': {
      const port = value['port'];
      return isPort(port) ? ok({ kind: 'bound', port }) : err('bad port');
    }
    case 'error':
    case 'send-failed': {
      const error = parseNetError(value['error']);
      return error === null ? err('bad error') : ok({ kind: value['kind'], error });
    }
    default:
      return err('unknown kind');
  }
}

export function parseRelayCommand(text: string): Result<RelayCommand, string> {
  const value = parseObject(text);
  if (value === null) return err('not a JSON object');
  const kind = value['kind'];
  return kind === 'pause' || kind === 'resume' ? ok({ kind }) : err('unknown kind');
}

export function encodeDatagram(datagram: RelayDatagram): Result<Uint8Array, string> {
  const host = new TextEncoder().encode(datagram.host);
  if (host.length === 0 || host.length > RELAY_MAX_HOST_BYTES) return err('host name too long');
  if (!isPort(datagram.port)) return err('bad port');
  if (datagram.payload.length > RELAY_MAX_DATA_BYTES) return err('datagram too large');
  const frame = new Uint8Array(DATAGRAM_HEADER_FIXED_BYTES + host.length + datagram.payload.length);
  frame[0] = host.length;
  frame.set(host, 1);
  frame[1 + host.length] = datagram.port >> 8;
  frame[2 + host.length] = datagram.port & 0xff;
  frame.set(datagram.payload, DATAGRAM_HEADER_FIXED_BYTES + host.length);
  return ok(frame);
}

/** The payload is a view into `frame`, not a copy. */
export function decodeDatagram(frame: Uint8Array): Result<RelayDatagram, string> {
  const hostLength = frame[0];
  if (hostLength === undefined || hostLength === 0) return err('missing host');
  const payloadOffset = DATAGRAM_HEADER_FIXED_BYTES + hostLength;
  if (frame.length < payloadOffset) return err('truncated header');
  if (frame.length - payloadOffset > RELAY_MAX_DATA_BYTES) return err('datagram too large');
  let host: string;
  try {
    host = new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(1, 1 + hostLength));
  } catch {
    return err('host is not UTF-8');
  }
  const port = ((frame[1 + hostLength] ?? 0) << 8) | (frame[2 + hostLength] ?? 0);
  if (!isPort(port)) return err('bad port');
  return ok({ host, port, payload: frame.subarray(payloadOffset) });
}

function parseNetError(value: unknown): NetError | null {
  if (typeof value !== 'object' || value === null) return null;
  const kind: unknown = Reflect.get(value, 'kind');
  const detail: unknown = Reflect.get(value, 'detail');
  if (typeof detail !== 'string') return null;
  switch (kind) {
    case 'unreachable':
    case 'timeout':
    case 'closed':
    case 'io':
      return { kind, detail };
    default:
      return null;
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  if (text.length > MAX_CONTROL_CHARS) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) record[key] = field;
  return record;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 65535;
}

function base(relayUrl: string): string {
  return relayUrl.replace(/\/+$/, '');
}

function enc(value: string): string {
  return encodeURIComponent(value);
}
