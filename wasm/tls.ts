// The typed binding of the core's TLS client (native/include/gsc_tls.h): byte pumping between
// TypeScript arrays and the client's buffers in core memory. Each call copies once: TCP bytes
// straight into the engine's input buffer, records and plaintext straight out of its own.
// What to do with the bytes (sockets, timeouts) is src/nvhttp/tls-stream.ts's business.
import { err, ok, type Result } from '../src/lib/result.ts';
import type { Core, CoreExports, CoreFunction } from './core.ts';

export type TlsClientState = 'handshaking' | 'open' | 'closed' | 'failed';

/** The TLS statuses of gsc_tls.h, plus `core` for a general status (out of memory...). */
export type TlsFailureKind =
  | 'bad-client-cert'
  | 'bad-client-key'
  | 'bad-pinned-cert'
  | 'bad-seed'
  | 'pin-mismatch'
  | 'alert-received'
  | 'bad-record'
  | 'not-tls'
  | 'handshake'
  | 'peer-closed'
  | 'truncated'
  | 'truncated-record'
  | 'internal'
  | 'core';

export interface TlsFailure {
  kind: TlsFailureKind;
  /** The gsc_status and its stable name, e.g. -210 GSC_TLS_ERR_PIN_MISMATCH. */
  status: number;
  name: string;
  /** BearSSL's code behind it (diagnostics): 256 + alert for an alert received, else BR_ERR_*. */
  engineError: number;
}

export interface TlsClientConfig {
  clientCertDer: Uint8Array;
  /** PKCS#1 (or PKCS#8) DER. */
  clientKeyDer: Uint8Array;
  pinnedServerCertDer: Uint8Array;
  /** At least 32 bytes from a strong random source, fresh for every connection. */
  seed: Uint8Array;
}

/** One connection's engine. Drain order after every input: takeOutgoing, then takeIncoming. */
export interface TlsClient {
  /** Core memory the client holds. */
  readonly memoryBytes: number;
  state(): TlsClientState;
  /** Why the client is `failed`, or null. */
  failure(): TlsFailure | null;
  /** Offers bytes read from TCP; returns how many it took (fewer, even 0, while output waits). */
  receive(bytes: Uint8Array): number;
  /** TCP reached end of stream. */
  receiveEnd(): void;
  /** The next bytes to send on TCP (a copy, already acknowledged), or null. */
  takeOutgoing(): Uint8Array | null;
  /** Offers plaintext when `open`; returns how many bytes were sealed into a record (maybe 0). */
  send(bytes: Uint8Array): number;
  /** Received plaintext (a copy, already acknowledged), or null. */
  takeIncoming(): Uint8Array | null;
  /** Queues close_notify (then drain takeOutgoing); the state becomes `closed`. */
  close(): void;
  /** Frees the engine; idempotent. Any later call other than destroy is a bug and throws. */
  destroy(): void;
}

export function createTlsClient(core: Core, config: TlsClientConfig): Result<TlsClient, TlsFailure> {
  const x = core.exports;
  const f = bindFunctions(x);
  // One word the core writes results through (handle, capacity, length), for the client's life.
  const outWord = x.alloc(OUT_WORD_BYTES);
  const status = x.scoped((s) =>
    f.create(
      s.copyIn(config.clientCertDer), config.clientCertDer.length,
      s.copyIn(config.clientKeyDer), config.clientKeyDer.length,
      s.copyIn(config.pinnedServerCertDer), config.pinnedServerCertDer.length,
      s.copyIn(config.seed), config.seed.length,
      outWord,
    ),
  );
  if (status !== GSC_OK) {
    x.free(outWord);
    return err(failureOf(x, status, 0));
  }
  return ok(wrapClient(x, f, x.readU32(outWord), outWord));
}

type TlsFunctions = ReturnType<typeof bindFunctions>;

function bindFunctions(x: CoreExports) {
  const fn = (name: string): CoreFunction => x.requireFn(`gsc_tls_client_${name}`);
  return {
    create: fn('create'),
    destroy: fn('destroy'),
    state: fn('state'),
    lastError: fn('last_error'),
    engineError: fn('engine_error'),
    rxBuf: fn('rx_buf'),
    rxCommit: fn('rx_commit'),
    rxEof: fn('rx_eof'),
    txPeek: fn('tx_peek'),
    txAck: fn('tx_ack'),
    appTxBuf: fn('app_tx_buf'),
    appTxCommit: fn('app_tx_commit'),
    appRxPeek: fn('app_rx_peek'),
    appRxAck: fn('app_rx_ack'),
    close: fn('close'),
    memoryBytes: fn('memory_bytes'),
  };
}

function wrapClient(x: CoreExports, f: TlsFunctions, handle: number, outWord: number): TlsClient {
  let destroyed = false;
  const live = (): number => {
    if (destroyed) throw new Error('TLS client used after destroy');
    return handle;
  };
  // A pointer-returning call whose count comes back through outWord.
  const region = (call: CoreFunction): { ptr: number; size: number } => {
    const ptr = call(live(), outWord) >>> 0;
    return { ptr, size: ptr === 0 ? 0 : x.readU32(outWord) };
  };
  // Statuses from acks of lengths the core itself offered can only mean a binding bug.
  const expectOk = (call: string, status: number): void => {
    if (status !== GSC_OK) throw new Error(`gsc_tls_client_${call} failed: ${x.statusName(status)}`);
  };
  const takeRegion = (peek: CoreFunction, ack: CoreFunction, call: string): Uint8Array | null => {
    const { ptr, size } = region(peek);
    if (size === 0) return null;
    const bytes = x.copyOut(ptr, size);
    expectOk(call, ack(handle, size));
    return bytes;
  };

  return {
    memoryBytes: f.memoryBytes(handle) >>> 0,
    state: () => STATES[f.state(live()) >>> 0] ?? 'failed',
    failure: () => {
      const status = f.lastError(live());
      return status === GSC_OK ? null : failureOf(x, status, f.engineError(handle) >>> 0);
    },
    receive: (bytes) => {
      let taken = 0;
      while (taken < bytes.length) {
        const { ptr, size } = region(f.rxBuf);
        if (size === 0) break;
        const n = Math.min(size, bytes.length - taken);
        x.heap().set(bytes.subarray(taken, taken + n), ptr);
        taken += n;
        // A failing commit still consumed the bytes; the failure shows in state().
        if (f.rxCommit(handle, n) !== GSC_OK) break;
      }
      return taken;
    },
    receiveEnd: () => {
      // The resulting status is the sticky last error, read through failure().
      f.rxEof(live());
    },
    takeOutgoing: () => takeRegion(f.txPeek, f.txAck, 'tx_ack'),
    send: (bytes) => {
      const { ptr, size } = region(f.appTxBuf);
      if (size === 0 || bytes.length === 0) return 0;
      const n = Math.min(size, bytes.length);
      x.heap().set(bytes.subarray(0, n), ptr);
      expectOk('app_tx_commit', f.appTxCommit(handle, n));
      return n;
    },
    takeIncoming: () => takeRegion(f.appRxPeek, f.appRxAck, 'app_rx_ack'),
    close: () => {
      expectOk('close', f.close(live()));
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      f.destroy(handle);
      x.free(outWord);
    },
  };
}

function failureOf(x: CoreExports, status: number, engineError: number): TlsFailure {
  return { kind: FAILURE_KINDS.get(status) ?? 'core', status, name: x.statusName(status), engineError };
}

const GSC_OK = 0;
const OUT_WORD_BYTES = 4;

// GSC_TLS_STATE_* of gsc_tls.h, by value.
const STATES: readonly TlsClientState[] = ['handshaking', 'open', 'closed', 'failed'];

// GSC_TLS_STATUS_LIST of gsc_tls.h.
const FAILURE_KINDS: ReadonlyMap<number, TlsFailureKind> = new Map<number, TlsFailureKind>([
  [-200, 'bad-client-cert'],
  [-201, 'bad-client-key'],
  [-202, 'bad-pinned-cert'],
  [-203, 'bad-seed'],
  [-210, 'pin-mismatch'],
  [-211, 'alert-received'],
  [-212, 'bad-record'],
  [-213, 'not-tls'],
  [-214, 'handshake'],
  [-215, 'peer-closed'],
  [-216, 'truncated'],
  [-217, 'internal'],
  [-218, 'truncated-record'],
]);
