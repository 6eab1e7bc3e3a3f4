// An in-memory Platform for the services' unit tests: storage in a Map (with switchable
// failures), a clock that only moves when the test says so, seeded entropy, and sockets that
// record what was sent.

import { err, ok } from '../../../../src/lib/result.ts';
import type { Clock, Platform, Sockets, Storage, TimerHandle, UdpSocket } from '../../../../src/platform/platform.ts';

export interface MemoryStorage extends Storage {
  readonly data: Map<string, string>;
  /** While true, every set/remove fails. */
  failWrites: boolean;
}

export function createMemoryStorage(initial: Record<string, string> = {}): MemoryStorage {
  const data = new Map(Object.entries(initial));
  const storage: MemoryStorage = {
    data,
    failWrites: false,
    async get(key) {
      return ok(data.get(key) ?? null);
    },
    async set(key, value) {
      if (storage.failWrites) return err({ kind: 'storage', detail: 'disk full' });
      data.set(key, value);
      return ok(undefined);
    },
    async remove(key) {
      if (storage.failWrites) return err({ kind: 'storage', detail: 'disk full' });
      data.delete(key);
      return ok(undefined);
    },
    async keys(prefix) {
      return ok([...data.keys()].filter((k) => k.startsWith(prefix)));
    },
  };
  return storage;
}

export interface FakeClock extends Clock {
  /** Moves time forward, running each timer that falls due, in order. */
  advance(ms: number): void;
  pendingTimers(): number;
}

export function createFakeClock(): FakeClock {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { dueMs: number; fn: () => void }>();
  return {
    nowMs: () => now,
    wallMs: () => 1_700_000_000_000 + now,
    setTimer(delayMs, fn): TimerHandle {
      const id = nextId++;
      timers.set(id, { dueMs: now + Math.max(0, delayMs), fn });
      return { id };
    },
    clearTimer(handle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const end = now + ms;
      for (let fired = 0; fired < 10_000; fired += 1) {
        let next: [number, { dueMs: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].dueMs <= end && (next === undefined || entry[1].dueMs < next[1].dueMs)) next = entry;
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].dueMs;
        next[1].fn();
      }
      now = end;
    },
    pendingTimers: () => timers.size,
  };
}

/** xorshift32: deterministic bytes for ids and PINs. */
export function createSeededEntropy(seed: number): Platform['entropy'] {
  let state = seed >>> 0 || 1;
  return {
    randomBytes(count) {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i += 1) {
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        out[i] = state & 0xff;
      }
      return out;
    },
  };
}

export interface SentDatagram {
  family: 4 | 6;
  broadcast: boolean;
  host: string;
  port: number;
  bytes: Uint8Array;
}

export function createRecordingSockets(): Sockets & { sent: SentDatagram[] } {
  const sent: SentDatagram[] = [];
  return {
    sent,
    async connectTcp() {
      return err({ kind: 'unreachable', detail: 'no TCP in this fake' });
    },
    async openUdp({ broadcast, family }) {
      const socket: UdpSocket = {
        async send(bytes, host, port) {
          sent.push({ family, broadcast, host, port, bytes: bytes.slice() });
          return ok(undefined);
        },
        async receive() {
          return err({ kind: 'timeout', detail: 'nothing arrives in this fake' });
        },
        close() {},
      };
      return ok(socket);
    },
  };
}

export function createMemoryPlatform(options: { storage?: MemoryStorage; seed?: number } = {}): Platform & {
  storage: MemoryStorage;
  clock: FakeClock;
  sockets: ReturnType<typeof createRecordingSockets>;
} {
  return {
    name: 'node',
    assets: { coreWasm: async () => err({ kind: 'load', detail: 'no core in this fake' }) },
    sockets: createRecordingSockets(),
    storage: options.storage ?? createMemoryStorage(),
    clock: createFakeClock(),
    entropy: createSeededEntropy(options.seed ?? 0x5eed),
  };
}
