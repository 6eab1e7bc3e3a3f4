// The composition root of the Node platform (tests, the CLI, tools): real sockets,
// files under a state directory, the core's wasm read from the build output.

import { randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { coreWasmFileFor, engineHasWasmSimd } from '../../../wasm/core-file.ts';
import { err, ok } from '../../lib/result.ts';
import { createWebClock } from '../browser/web-clock.ts';
import type { Assets, Platform } from '../platform.ts';
import { createFileStorage } from './file-storage.ts';
import { connectNodeTcp } from './node-tcp.ts';
import { openNodeUdp } from './node-udp.ts';

export interface NodePlatformOptions {
  /** Where storage keeps its files; created on first write. */
  stateDir: string;
  /** Defaults to the build in `<repo>/build/wasm/` for this engine (defaultCoreWasmPath). */
  coreWasmPath?: string;
}

/**
 * The SIMD build when Node's engine has SIMD and it was built, else the MVP one. Both behave
 * the same; tests that must run one build name its file.
 */
export function defaultCoreWasmPath(): string {
  const path = (file: string): string => fileURLToPath(new URL(`../../../build/wasm/${file}`, import.meta.url));
  const preferred = path(coreWasmFileFor(engineHasWasmSimd()));
  return existsSync(preferred) ? preferred : path(coreWasmFileFor(false));
}

export function createNodePlatform(options: NodePlatformOptions): Platform {
  return {
    name: 'node',
    assets: createFileAssets(options.coreWasmPath ?? defaultCoreWasmPath()),
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
