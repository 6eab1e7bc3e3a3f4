// The composition root of the Node platform (tests, the CLI, tools): real sockets,
// files under a state directory, the core's wasm read from the build output.

import { randomFillSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { err, ok } from '../../lib/result.ts';
import { createWebClock } from '../browser/web-clock.ts';
import type { Assets, Platform } from '../platform.ts';
import { createFileStorage } from './file-storage.ts';
import { connectNodeTcp } from './node-tcp.ts';
import { openNodeUdp } from './node-udp.ts';

export interface NodePlatformOptions {
  /** Where storage keeps its files; created on first write. */
  stateDir: string;
  /** Defaults to `<repo>/build/wasm/core.wasm`. */
  coreWasmPath?: string;
}

const DEFAULT_CORE_WASM_PATH = fileURLToPath(new URL('../../../build/wasm/core.wasm', import.meta.url));

export function createNodePlatform(options: NodePlatformOptions): Platform {
  return {
    name: 'node',
    assets: createFileAssets(options.coreWasmPath ?? DEFAULT_CORE_WASM_PATH),
    sockets: { connectTcp: connectNodeTcp, openUdp: openNodeUdp },
    storage: createFileStorage(options.stateDir),
    clock: createWebClock(),
    entropy: { randomBytes: (count) => randomFillSync(new Uint8Array(count)) },
  };
}

function createFileAssets(coreWasmPath: string): Assets {
  return {
    async coreWasm() {
      try {
        const bytes = await readFile(coreWasmPath);
        return ok(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        return err({ kind: 'load', detail: `cannot read the core at ${coreWasmPath} (npm run build makes it): ${reason}` });
      }
    },
  };
}
