// The composition root of the browser build's platform: sockets through the local relay,
// storage in IndexedDB. Usable in a window and in a Web Worker.

import type { Platform } from '../platform.ts';
import { createFetchAssets } from './fetch-assets.ts';
import { createIndexedDbStorage } from './indexeddb-storage.ts';
import { createRelaySockets, type RelayWebSocketConstructor } from './relay-sockets.ts';
import { createWebClock } from './web-clock.ts';
import { createWebEntropy } from './web-entropy.ts';

export interface BrowserPlatformOptions {
  relayUrl: string;
  token: string;
  coreWasmUrl: string;
  /** Defaults to the global WebSocket; Node tests pass the `ws` package's class. */
  webSocket?: RelayWebSocketConstructor;
  /** Defaults to the global indexedDB. */
  indexedDb?: IDBFactory;
}

export function createBrowserPlatform(options: BrowserPlatformOptions): Platform {
  return {
    name: 'browser',
    assets: createFetchAssets(options.coreWasmUrl),
    sockets: createRelaySockets({
      relayUrl: options.relayUrl,
      token: options.token,
      ...(options.webSocket === undefined ? {} : { webSocket: options.webSocket }),
    }),
    storage: createIndexedDbStorage(options.indexedDb === undefined ? {} : { factory: options.indexedDb }),
    clock: createWebClock(),
    entropy: createWebEntropy(),
  };
}
