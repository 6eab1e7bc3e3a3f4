// The core's WebAssembly module, read from the app's own files (the widget package on the
// TV, the dev server in a browser). Streaming compilation is left to the caller: on the TV
// the wasm MIME type of packaged files is not guaranteed (platform/tizen.md section 3).

import { err, ok, type Result } from '../../lib/result.ts';
import type { Assets, LoadError } from '../platform.ts';

export function createFetchAssets(coreWasmUrl: string): Assets {
  return {
    async coreWasm() {
      const fetched = await viaFetch(coreWasmUrl);
      if (fetched.ok || typeof XMLHttpRequest === 'undefined') return fetched;
      // Chromium's fetch refuses file: URLs, which is how a packaged widget may be served;
      // XMLHttpRequest still reads them (with status 0).
      const viaXhrResult = await viaXhr(coreWasmUrl);
      return viaXhrResult.ok ? viaXhrResult : fetched;
    },
  };
}

async function viaFetch(url: string): Promise<Result<Uint8Array, LoadError>> {
  try {
    const response = await fetch(url);
    if (!response.ok) return err({ kind: 'load', detail: `${url}: HTTP ${response.status}` });
    return ok(new Uint8Array(await response.arrayBuffer()));
  } catch (e) {
    return err({ kind: 'load', detail: `${url}: ${e instanceof Error ? e.message : String(e)}` });
  }
}

function viaXhr(url: string): Promise<Result<Uint8Array, LoadError>> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('GET', url);
    request.responseType = 'arraybuffer';
    request.onload = () => {
      const body: unknown = request.response;
      const fine = request.status === 200 || (request.status === 0 && body instanceof ArrayBuffer && body.byteLength > 0);
      if (fine && body instanceof ArrayBuffer) resolve(ok(new Uint8Array(body)));
      else resolve(err({ kind: 'load', detail: `${url}: status ${request.status}` }));
    };
    request.onerror = () => resolve(err({ kind: 'load', detail: `${url}: request failed` }));
    request.send();
  });
}
