// The services worker's entry (a classic worker, bundled as an IIFE): builds the platform the
// UI asked for in `init`, then serves the services over postMessage (protocol.ts).

import { createBrowserPlatform } from '../../platform/browser/browser-platform.ts';
import { createTizenPlatform } from '../../platform/tizen/tizen-platform.ts';
import type { Platform } from '../../platform/platform.ts';
import { bootServices } from './boot-services.ts';
import type { InitMessage } from './protocol.ts';
import { serveServices, type MessageEndpoint } from './serve-services.ts';

function platformFor(init: InitMessage): Platform {
  if (init.platform === 'browser') {
    return createBrowserPlatform({ relayUrl: init.relayUrl, token: init.token, coreWasmUrl: init.coreWasmUrl });
  }
  return createTizenPlatform({ coreWasmUrl: init.coreWasmUrl });
}

// The project compiles against the DOM library, where `self` is a Window; in this bundle it
// is the DedicatedWorkerGlobalScope, whose postMessage takes (message, transfer).
const scope = self as unknown as MessageEndpoint;
serveServices(scope, (init, onStage) => bootServices(platformFor(init), onStage));
