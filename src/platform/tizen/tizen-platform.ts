// The composition root of the TV's platform: sockets through the Tizen Sockets Extension
// (worker only), storage in IndexedDB as in the browser, the core's wasm from the package.

import { err } from '../../lib/result.ts';
import { createFetchAssets } from '../browser/fetch-assets.ts';
import { createIndexedDbStorage } from '../browser/indexeddb-storage.ts';
import { createWebClock } from '../browser/web-clock.ts';
import { createWebEntropy } from '../browser/web-entropy.ts';
import type { NetError, Platform, Sockets } from '../platform.ts';
import { parseTizenTvWasm, type SocketsApi, type WorkerLoop } from './tizen-socket-calls.ts';
import { connectTizenTcp } from './tizen-tcp.ts';
import { openTizenUdp } from './tizen-udp.ts';

export interface TizenPlatformOptions {
  coreWasmUrl: string;
  /** Defaults to the global the web runtime injects; tests pass a fake. */
  tizentvwasm?: unknown;
  /** Defaults to performance.now and a MessageChannel turn; tests pass the fake's clock. */
  workerLoop?: WorkerLoop;
  indexedDb?: IDBFactory;
}

export function createTizenPlatform(options: TizenPlatformOptions): Platform {
  const api = parseTizenTvWasm(options.tizentvwasm ?? globalTizenTvWasm());
  return {
    name: 'tizen',
    assets: createFetchAssets(options.coreWasmUrl),
    // Without the extension (the main thread, a desktop browser) sockets fail as values,
    // so storage and the rest stay usable.
    sockets: api.ok ? createTizenSockets(api.value, options.workerLoop ?? createWorkerLoop()) : unavailableSockets(api.error),
    storage: createIndexedDbStorage(options.indexedDb === undefined ? {} : { factory: options.indexedDb }),
    clock: createWebClock(),
    entropy: createWebEntropy(),
  };
}

export function createTizenSockets(api: SocketsApi, loop: WorkerLoop): Sockets {
  return {
    connectTcp: (host, port, timeoutMs) => connectTizenTcp(api, loop, host, port, timeoutMs),
    openUdp: (options) => openTizenUdp(api, loop, options),
  };
}

/**
 * Yields through a MessageChannel: unlike setTimeout(0), its turns are not clamped to
 * 4 ms once nested, and a socket loop yields after every poll.
 */
export function createWorkerLoop(): WorkerLoop {
  let channel: MessageChannel | null = null;
  const waiting: Array<() => void> = [];
  return {
    nowMs: () => performance.now(),
    yieldToEventLoop() {
      if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
      if (channel === null) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => waiting.shift()?.();
      }
      const port = channel.port2;
      return new Promise((resolve) => {
        waiting.push(resolve);
        port.postMessage(0);
      });
    },
  };
}

function unavailableSockets(reason: string): Sockets {
  const error: NetError = { kind: 'io', detail: `sockets are unavailable here: ${reason}` };
  return {
    connectTcp: () => Promise.resolve(err(error)),
    openUdp: () => Promise.resolve(err(error)),
  };
}

function globalTizenTvWasm(): unknown {
  // `self` names the global object in windows and workers alike (globalThis is newer than Chromium 69).
  return typeof self === 'undefined' ? undefined : Reflect.get(self, 'tizentvwasm');
}
