// The one platform seam (design principle 3). Everything that touches a platform API
// lives behind these interfaces; implementations are in src/platform/{node,browser,tizen}/.
// Each target builds one Platform at its composition root and passes it down.

import type { Result } from '../lib/result.ts';

/** Why a socket operation failed, in terms the UI can turn into words. */
export type NetError =
  | { kind: 'unreachable'; detail: string } // refused, no route, DNS failure
  | { kind: 'timeout'; detail: string }
  | { kind: 'closed'; detail: string } // the peer or the relay went away mid-operation
  | { kind: 'io'; detail: string }; // anything else the platform reported

/** A connected TCP stream. Reads and writes never block the caller's event loop. */
export interface TcpConnection {
  /** Queue bytes for sending; resolves once the platform accepted them. */
  write(bytes: Uint8Array): Promise<Result<void, NetError>>;
  /**
   * The next chunk of received bytes, `null` at end of stream (the peer closed).
   * Fails with `timeout` when nothing arrives within `timeoutMs`.
   */
  read(timeoutMs: number): Promise<Result<Uint8Array | null, NetError>>;
  /** Close both directions; idempotent. */
  close(): void;
}

export interface UdpDatagram {
  bytes: Uint8Array;
  host: string;
  port: number;
}

/** A UDP socket bound to an ephemeral local port. */
export interface UdpSocket {
  send(bytes: Uint8Array, host: string, port: number): Promise<Result<void, NetError>>;
  /** The next datagram, or `timeout` when none arrives within `timeoutMs`. */
  receive(timeoutMs: number): Promise<Result<UdpDatagram, NetError>>;
  close(): void;
}

export interface Sockets {
  /** `host` is an IPv4/IPv6 literal or a host name. */
  connectTcp(host: string, port: number, timeoutMs: number): Promise<Result<TcpConnection, NetError>>;
  /** `broadcast` allows sending to broadcast addresses (Wake-on-LAN). */
  openUdp(options: { broadcast: boolean; family: 4 | 6 }): Promise<Result<UdpSocket, NetError>>;
}

export type StorageError = { kind: 'storage'; detail: string };

/** Durable key-value storage. Values survive app restarts and updates. */
export interface Storage {
  get(key: string): Promise<Result<string | null, StorageError>>;
  set(key: string, value: string): Promise<Result<void, StorageError>>;
  remove(key: string): Promise<Result<void, StorageError>>;
  /** Keys starting with `prefix`. */
  keys(prefix: string): Promise<Result<string[], StorageError>>;
}

/** Monotonic time and timers, injected so that logic runs on fake time in tests. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  nowMs(): number;
  /** Wall-clock milliseconds since the Unix epoch (certificate validity, X.509 checks). */
  wallMs(): number;
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number };

export interface Entropy {
  /** Cryptographically strong random bytes. */
  randomBytes(count: number): Uint8Array;
}

export type LoadError = { kind: 'load'; detail: string };

/** Files shipped with the app (the core's WebAssembly module). */
export interface Assets {
  coreWasm(): Promise<Result<Uint8Array, LoadError>>;
}

export interface Platform {
  readonly name: 'node' | 'browser' | 'tizen';
  readonly assets: Assets;
  readonly sockets: Sockets;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly entropy: Entropy;
}
