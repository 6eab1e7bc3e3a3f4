// Random bytes from the Web Crypto API, available in windows and workers.

import type { Entropy } from '../platform.ts';

/** `getRandomValues` refuses requests over 65536 bytes (Web Crypto API, QuotaExceededError). */
const MAX_RANDOM_VALUES_BYTES = 65536;

// `globalThis` is newer than Chromium 69 (Tizen 5.5), so the global is named directly.
export function createWebEntropy(source: Pick<Crypto, 'getRandomValues'> = crypto): Entropy {
  return {
    randomBytes(count) {
      const out = new Uint8Array(count);
      for (let offset = 0; offset < count; offset += MAX_RANDOM_VALUES_BYTES) {
        source.getRandomValues(out.subarray(offset, Math.min(count, offset + MAX_RANDOM_VALUES_BYTES)));
      }
      return out;
    },
  };
}
