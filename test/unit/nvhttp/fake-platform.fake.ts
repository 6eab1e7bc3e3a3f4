// In-memory stand-ins for the platform seam, for nvhttp and pairing tests: a clock that moves
// only when the test says so, seeded entropy, storage in a Map, and TCP connections to a
// scripted host that answers each complete request with what the script returns.
import type { Clock, Entropy, NetError, Platform, Sockets, Storage, TcpConnection, TimerHandle } from '../../../src/platform/platform.ts';
import { err, ok, type Result } from '../../../src/lib/result.ts';

export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void;
  pendingTimers(): number;
}

export function createFakeClock(startMs = 1_000_000): FakeClock {
  let nowMs = startMs;
  let nextId = 1;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  return {
    nowMs: () => nowMs,
    wallMs: () => 1_700_000_000_000 + nowMs,
    setTimer(delayMs, fn) {
      const id = nextId++;
      timers.set(id, { dueMs: nowMs + Math.max(0, delayMs), fn });
      return { id };
    },
    clearTimer(handle: TimerHandle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const endMs = nowMs + ms;
      for (let guard = 0; guard < 10_000; guard += 1) {
        let next: [number, { dueMs: number; fn: () => void }] | null = null;
        for (const entry of timers) if (entry[1].dueMs <= endMs && (next === null || entry[1].dueMs < next[1].dueMs)) next = entry;
        if (next === null) break;
        timers.delete(next[0]);
        nowMs = next[1].dueMs;
        next[1].fn();
      }
      nowMs = endMs;
    },
    pendingTimers: () => timers.size,
  };
}

/** Deterministic bytes from a seed (mulberry32); printed seeds make failures repeatable. */
export function createSeededEntropy(seed: number): Entropy {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return { randomBytes: (count) => Uint8Array.from({ length: count }, next) };
}

export function createMemoryStorage(initial: Record<string, string> = {}): Storage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: async (key) => ok(data.get(key) ?? null),
    set: async (key, value) => {
      data.set(key, value);
      return ok(undefined);
    },
    remove: async (key) => {
      data.delete(key);
      return ok(undefined);
    },
    keys: async (prefix) => ok([...data.keys()].filter((k) => k.startsWith(prefix))),
  };
}

/** What the scripted host does with one request. */
export type HostAction =
  | { kind: 'respond'; bytes: Uint8Array; close?: boolean; chunkBytes?: number }
  /** Sends `chunkBytes` every `intervalMs` of fake time, then closes. */
  | { kind: 'trickle'; bytes: Uint8Array; chunkBytes: number; intervalMs: number }
  /** Never answers (the connection stays open until the client closes it). */
  | { kind: 'hang' }
  /** Closes without a byte. */
  | { kind: 'close' };

export interface ScriptedRequest {
  port: number;
  /** The request head as text. */
  head: string;
  /** Request target: path and query. */
  target: string;
  /** Set by a fake TLS opener: the client certificate presented on this connection. */
  tlsClientCertDer: Uint8Array | null;
}

export type HostScript = (request: ScriptedRequest) => HostAction | Promise<HostAction>;

export interface FakeConnection extends TcpConnection {
  readonly port: number;
  readonly closed: boolean;
  tlsClientCertDer: Uint8Array | null;
}

export interface ScriptedSockets extends Sockets {
  /** Every connection opened, in order. */
  readonly connections: FakeConnection[];
  /** Ports on which connecting fails with `unreachable`. */
  refusedPorts: Set<number>;
}

export function createScriptedSockets(clock: Clock, script: HostScript): ScriptedSockets {
  const connections: FakeConnection[] = [];
  const refusedPorts = new Set<number>();
  return {
    connections,
    refusedPorts,
    async connectTcp(_host, port): Promise<Result<TcpConnection, NetError>> {
      if (refusedPorts.has(port)) return err({ kind: 'unreachable', detail: `connection refused on port ${port}` });
      const conn = createFakeConnection(clock, port, script);
      connections.push(conn);
      return ok(conn);
    },
    async openUdp() {
      return err({ kind: 'io', detail: 'no UDP in this fake' });
    },
  };
}

function createFakeConnection(clock: Clock, port: number, script: HostScript): FakeConnection {
  const inbound: Array<Uint8Array | null> = [];
  let waiter: (() => void) | null = null;
  let closed = false;
  let request = '';
  const wake = (): void => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  const conn: FakeConnection = {
    port,
    tlsClientCertDer: null,
    get closed() {
      return closed;
    },
    async write(bytes) {
      if (closed) return err({ kind: 'closed', detail: 'write after close' });
      request += new TextDecoder().decode(bytes);
      const end = request.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = request.slice(0, end);
        const target = /^GET (\S+) HTTP\/1\.1/.exec(head)?.[1] ?? '';
        void Promise.resolve(script({ port, head, target, tlsClientCertDer: conn.tlsClientCertDer })).then((action) => {
          if (closed) return;
          if (action.kind === 'close') inbound.push(null);
          if (action.kind === 'trickle') {
            let at = 0;
            const tick = (): void => {
              if (closed) return;
              inbound.push(at < action.bytes.length ? action.bytes.subarray(at, at + action.chunkBytes) : null);
              at += action.chunkBytes;
              wake();
              if (at < action.bytes.length + action.chunkBytes) clock.setTimer(action.intervalMs, tick);
            };
            clock.setTimer(action.intervalMs, tick);
          }
          if (action.kind === 'respond') {
            const size = action.chunkBytes ?? action.bytes.length;
            for (let at = 0; at < action.bytes.length; at += Math.max(1, size)) inbound.push(action.bytes.subarray(at, at + size));
            if (action.close !== false) inbound.push(null);
          }
          wake();
        });
      }
      return ok(undefined);
    },
    read(timeoutMs) {
      return new Promise((resolve) => {
        const deliver = (): boolean => {
          if (closed) {
            resolve(err({ kind: 'closed', detail: 'closed locally' }));
            return true;
          }
          if (inbound.length === 0) return false;
          resolve(ok(inbound.shift() ?? null));
          return true;
        };
        if (deliver()) return;
        const timer = clock.setTimer(timeoutMs, () => {
          waiter = null;
          resolve(err({ kind: 'timeout', detail: `no data within ${timeoutMs} ms` }));
        });
        waiter = () => {
          clock.clearTimer(timer);
          deliver();
        };
      });
    },
    close() {
      if (closed) return;
      closed = true;
      wake();
    },
  };
  return conn;
}

export function createFakePlatform(options: { clock: FakeClock; sockets: Sockets; seed: number; storage?: Storage }): Platform {
  return {
    name: 'node',
    assets: { coreWasm: async () => err({ kind: 'load', detail: 'no core in this fake' }) },
    sockets: options.sockets,
    storage: options.storage ?? createMemoryStorage(),
    clock: options.clock,
    entropy: createSeededEntropy(options.seed),
  };
}

/** Lets pending promise callbacks run (no timers involved). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

export function httpResponse(body: string | Uint8Array, options: { status?: string; headers?: string[] } = {}): Uint8Array {
  const bodyBytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const head = [`HTTP/1.1 ${options.status ?? '200 OK'}`, ...(options.headers ?? [`Content-Length: ${bodyBytes.length}`]), '', ''].join('\r\n');
  const headBytes = new TextEncoder().encode(head);
  const out = new Uint8Array(headBytes.length + bodyBytes.length);
  out.set(headBytes);
  out.set(bodyBytes, headBytes.length);
  return out;
}
