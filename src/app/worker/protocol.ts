// The messages between the UI thread and the services worker (style guide D.10).
// Main -> worker: `init` once (what the worker needs to build its platform), then `request`s
// with ids, `cancel-pairing`, `dispose`. Worker -> main: one `response` per request (same id),
// `event`s (service events, start-up progress included), and `pairing-done` when a pairing
// started by a `pair` request ends. A pairing handle crosses as a pairing id.
// Box art bytes are transferred, not copied.

import type { Result } from '../../lib/result.ts';
import type { PreparedStream } from '../../session/start-stream.ts';
import type { StreamSettings } from '../../session/stream-config.ts';
import type { AppView, HostView, ServiceError, ServiceEvent } from '../services.ts';

export type InitMessage =
  | { kind: 'init'; platform: 'browser'; relayUrl: string; token: string; coreWasmUrl: string }
  | { kind: 'init'; platform: 'tizen'; coreWasmUrl: string };

export type ServiceCall =
  | { kind: 'listHosts' }
  | { kind: 'addHost'; address: string }
  | { kind: 'removeHost'; hostId: string }
  | { kind: 'pair'; hostId: string; pin: string | null }
  | { kind: 'unpair'; hostId: string }
  | { kind: 'wake'; hostId: string }
  | { kind: 'apps'; hostId: string }
  | { kind: 'boxArt'; hostId: string; appId: number }
  /** Launch or resume, then RTSP; the page runs the session itself (session worker). */
  | { kind: 'prepareStream'; hostId: string; appId: number; settings: StreamSettings }
  | { kind: 'quitApp'; hostId: string };

export type ToWorker =
  | InitMessage
  | { kind: 'request'; id: number; call: ServiceCall }
  | { kind: 'cancel-pairing'; pairingId: number }
  | { kind: 'cancel-stream-start'; hostId: string }
  | { kind: 'dispose' };

/** What each call answers. */
export interface CallResults {
  listHosts: HostView[];
  addHost: Result<HostView, ServiceError>;
  removeHost: Result<void, ServiceError>;
  pair: Result<{ pairingId: number; pin: string }, ServiceError>;
  unpair: Result<void, ServiceError>;
  wake: Result<void, ServiceError>;
  apps: Result<AppView[], ServiceError>;
  boxArt: Result<Uint8Array, ServiceError>;
  prepareStream: Result<PreparedStream, ServiceError>;
  quitApp: Result<void, ServiceError>;
}

export type CallKind = ServiceCall['kind'];

export type ResponseMessage = {
  [K in CallKind]: { kind: 'response'; id: number; call: K; result: CallResults[K] };
}[CallKind];

export type FromWorker =
  | ResponseMessage
  | { kind: 'event'; event: ServiceEvent }
  | { kind: 'pairing-done'; pairingId: number; result: Result<void, ServiceError> };

/**
 * The buffers to transfer with `message`. A Uint8Array that is a window on a larger buffer
 * is copied first, so that only its own bytes cross (and nothing else is detached).
 */
export function prepareTransfer(message: FromWorker): { message: FromWorker; transfer: ArrayBuffer[] } {
  if (message.kind !== 'response' || message.call !== 'boxArt' || !message.result.ok) return { message, transfer: [] };
  const bytes = message.result.value;
  const whole =
    bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes
      : bytes.slice();
  const buffer = whole.buffer;
  if (!(buffer instanceof ArrayBuffer)) return { message, transfer: [] };
  return { message: { ...message, result: { ok: true, value: whole } }, transfer: [buffer] };
}
