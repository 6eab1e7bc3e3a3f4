// Node's socket errors, as the kinds of NetError the rest of the app understands.

import type { NetError } from '../platform.ts';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND', // DNS: no such name
  'EAI_AGAIN', // DNS: no answer
  'EAI_FAIL',
  'EADDRNOTAVAIL', // e.g. an IPv6 target on an IPv4-only machine
]);
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_SOCKET_CLOSED']);

export function netErrorFromNode(e: unknown, context: string): NetError {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  const detail = `${context}: ${message}`;
  if (code !== null && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail };
  if (code === 'ETIMEDOUT') return { kind: 'timeout', detail };
  if (code !== null && CLOSED_CODES.has(code)) return { kind: 'closed', detail };
  return { kind: 'io', detail };
}

function errorCode(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const code: unknown = Reflect.get(e, 'code');
  return typeof code === 'string' ? code : null;
}
