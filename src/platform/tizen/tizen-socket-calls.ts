// The Sockets Extension's calling conventions, in one place: the global is checked once
// and turned into a typed API; each call's exception becomes an errno named through
// ErrorCodes (the numbering is the platform's, so only names are compared); and waiting
// is done with short polls that hand the worker back to its event loop in between, since
// every call is synchronous and a long poll would stall the worker's messages
// (platform/tizen.md sections 2.1 and 2.7).

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError } from '../platform.ts';
import type { TizenSocketsManager, TizenTvWasm } from './tizentvwasm-types.ts';

/** The worker's time and scheduling, injected so tests run on the fake's clock. */
export interface WorkerLoop {
  nowMs(): number;
  /** Resolves after the event loop had a turn (messages, timers). */
  yieldToEventLoop(): Promise<void>;
}

export interface SocketsApi {
  readonly raw: TizenTvWasm;
  readonly manager: TizenSocketsManager;
  readonly nonBlock: number;
  readonly noSignal: number;
  readonly pollIn: number;
  readonly pollOut: number;
  /** POLLERR | POLLHUP | POLLNVAL: conditions poll reports whatever was asked. */
  readonly pollTrouble: number;
  /** The platform's number for an errno name (constant objects may use prototype getters). */
  errorCode(name: string): number | undefined;
}

export interface SocketFailure {
  code: number;
  message: string;
}

/**
 * How long one poll may block the worker. Input events queue behind it, so this is the
 * worst added input latency while a socket waits; 4 ms is a quarter of a 60 Hz frame.
 */
export const POLL_SLICE_MS = 4;

const CLOSED_ERRNOS = ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ENOTCONN', 'ESHUTDOWN'];
const UNREACHABLE_ERRNOS = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'EAFNOSUPPORT'];
/** Names tried when an errno number is put into words. */
const KNOWN_ERRNOS = [
  ...UNREACHABLE_ERRNOS,
  ...CLOSED_ERRNOS,
  'ETIMEDOUT', 'EAGAIN', 'EINPROGRESS', 'EALREADY', 'EISCONN', 'EBADF', 'EINVAL', 'EACCES', 'EPERM',
  'EMSGSIZE', 'ENOBUFS', 'ENOMEM', 'EMFILE', 'ENFILE', 'EDESTADDRREQ', 'EOPNOTSUPP', 'ENOPROTOOPT', 'EINTR', 'EIO',
];

/** Checks the injected global once; a missing piece means this is not a TV worker. */
export function parseTizenTvWasm(value: unknown): Result<SocketsApi, string> {
  if (typeof value !== 'object' || value === null) return err('tizentvwasm is not available (not a Tizen TV)');
  const manager: unknown = Reflect.get(value, 'SocketsManager');
  if (typeof manager !== 'object' || manager === null) return err('tizentvwasm.SocketsManager is missing');
  for (const method of ['create', 'bind', 'connect', 'send', 'sendTo', 'recv', 'recvFrom', 'poll', 'setSockOpt', 'getSockOpt', 'close', 'getErrorCode']) {
    if (typeof Reflect.get(manager, method) !== 'function') return err(`tizentvwasm.SocketsManager.${method} is missing`);
  }
  for (const ctor of ['NetAddress', 'PollFd', 'HostResolverSync']) {
    if (typeof Reflect.get(value, ctor) !== 'function') return err(`tizentvwasm.${ctor} is missing`);
  }
  const nonBlock = constant(value, 'SockFlags', 'SOCK_NONBLOCK');
  const pollIn = constant(value, 'PollFlags', 'POLLIN');
  const pollOut = constant(value, 'PollFlags', 'POLLOUT');
  if (nonBlock === undefined) return err('tizentvwasm.SockFlags.SOCK_NONBLOCK is missing');
  if (pollIn === undefined || pollOut === undefined) return err('tizentvwasm.PollFlags.POLLIN/POLLOUT is missing');
  const errorCodes: unknown = Reflect.get(value, 'ErrorCodes');
  if (typeof errorCodes !== 'object' || errorCodes === null) return err('tizentvwasm.ErrorCodes is missing');
  for (const name of ['EAGAIN', 'EINPROGRESS']) {
    if (typeof Reflect.get(errorCodes, name) !== 'number') return err(`tizentvwasm.ErrorCodes.${name} is missing`);
  }
  // The checks above are what the rest of the module relies on.
  const raw = value as TizenTvWasm;
  return ok({
    raw,
    manager: raw.SocketsManager,
    nonBlock,
    noSignal: constant(value, 'MsgFlags', 'MSG_NOSIGNAL') ?? 0,
    pollIn,
    pollOut,
    pollTrouble:
      (constant(value, 'PollFlags', 'POLLERR') ?? 0) |
      (constant(value, 'PollFlags', 'POLLHUP') ?? 0) |
      (constant(value, 'PollFlags', 'POLLNVAL') ?? 0),
    errorCode: (name) => {
      const code: unknown = Reflect.get(errorCodes, name);
      return typeof code === 'number' ? code : undefined;
    },
  });
}

/**
 * Runs one synchronous call. A failure the platform reports (an errno) becomes a value;
 * anything else thrown is a bug on our side (bad arguments, the main thread) and goes on.
 */
export function socketCall<T>(api: SocketsApi, call: () => T): Result<T, SocketFailure> {
  try {
    return ok(call());
  } catch (e) {
    const code = errnoOf(api, e);
    if (code === null) throw e;
    return err({ code, message: e instanceof Error ? e.message : String(e) });
  }
}

export function isErrno(api: SocketsApi, failure: SocketFailure, ...names: string[]): boolean {
  return names.some((name) => api.errorCode(name) === failure.code);
}

export function errnoName(api: SocketsApi, code: number): string {
  for (const name of KNOWN_ERRNOS) if (api.errorCode(name) === code) return name;
  return `errno ${code}`;
}

export function netErrorOf(api: SocketsApi, failure: SocketFailure, context: string): NetError {
  const detail = `${context}: ${errnoName(api, failure.code)}`;
  if (isErrno(api, failure, ...UNREACHABLE_ERRNOS)) return { kind: 'unreachable', detail };
  if (isErrno(api, failure, 'ETIMEDOUT')) return { kind: 'timeout', detail };
  if (isErrno(api, failure, ...CLOSED_ERRNOS)) return { kind: 'closed', detail };
  return { kind: 'io', detail };
}

export function closeQuietly(api: SocketsApi, id: number): void {
  // Closing can only fail for an id that is already gone, which leaves nothing to release.
  socketCall(api, () => api.manager.close(id));
}

/**
 * Waits until socket `id` reports one of `events` (or trouble) and returns its revents,
 * or `null` once `deadlineMs` passed. Polls for at most POLL_SLICE_MS at a time and lets
 * the event loop run between polls.
 */
export async function waitForSocket(
  api: SocketsApi,
  loop: WorkerLoop,
  id: number,
  events: number,
  deadlineMs: number,
): Promise<Result<number | null, SocketFailure>> {
  for (;;) {
    const remainingMs = deadlineMs - loop.nowMs();
    const sliceMs = Math.max(0, Math.min(POLL_SLICE_MS, Math.ceil(remainingMs)));
    const fd = new api.raw.PollFd(id, events);
    const polled = socketCall(api, () => api.manager.poll([fd], sliceMs));
    if (!polled.ok && !isErrno(api, polled.error, 'EINTR')) return polled;
    if (fd.revents !== 0) return ok(fd.revents);
    if (remainingMs <= 0) return ok(null);
    await loop.yieldToEventLoop();
  }
}

/**
 * The errno of a failed call: the "(N)" ending the exception's message, else the manager's
 * last error. A TypeError or RangeError is a bad argument of ours, whatever the last error.
 */
function errnoOf(api: SocketsApi, e: unknown): number | null {
  const message = e instanceof Error ? e.message : String(e);
  const match = /\((-?\d+)\)\s*$/.exec(message);
  if (match !== null) return Number(match[1]);
  if (e instanceof TypeError || e instanceof RangeError) return null;
  let code = 0;
  try {
    code = api.manager.getErrorCode();
  } catch {
    return null;
  }
  return code === 0 ? null : code;
}

function constant(api: object, group: string, name: string): number | undefined {
  const holder: unknown = Reflect.get(api, group);
  if (typeof holder !== 'object' || holder === null) return undefined;
  const value: unknown = Reflect.get(holder, name);
  return typeof value === 'number' ? value : undefined;
}
