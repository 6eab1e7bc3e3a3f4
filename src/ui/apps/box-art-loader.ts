// Fetches box art a few pictures at a time, in the order the apps are shown, so the first
// row fills in first and a long list does not queue dozens of requests on the services at once.

import type { Result } from '../../lib/result.ts';

export interface BoxArtLoader {
  /** Queues these apps' pictures (ones already queued or loaded are skipped). */
  request(appIds: readonly number[]): void;
  /** Stops: queued requests are dropped and answers still on the way are ignored. */
  dispose(): void;
}

export interface BoxArtLoaderOptions<E> {
  load(appId: number): Promise<Result<Uint8Array, E>>;
  onLoaded(appId: number, pngBytes: Uint8Array): void;
  /** How many requests may be out at once. */
  concurrency: number;
}

/** A few at once keeps the grid filling while leaving the services free for polling. */
export const BOX_ART_CONCURRENCY = 3;

export function createBoxArtLoader<E>(options: BoxArtLoaderOptions<E>): BoxArtLoader {
  const queue: number[] = [];
  const requested = new Set<number>();
  let running = 0;
  let disposed = false;

  const pump = (): void => {
    while (!disposed && running < options.concurrency) {
      const appId = queue.shift();
      if (appId === undefined) return;
      running++;
      void options.load(appId).then(
        (result) => finish(appId, result.ok ? result.value : null),
        () => finish(appId, null),
      );
    }
  };

  const finish = (appId: number, bytes: Uint8Array | null): void => {
    running--;
    if (disposed) return;
    // A failed picture keeps its placeholder; the title is still there.
    if (bytes !== null && bytes.length > 0) options.onLoaded(appId, bytes);
    pump();
  };

  return {
    request(appIds) {
      for (const appId of appIds) {
        if (requested.has(appId)) continue;
        requested.add(appId);
        queue.push(appId);
      }
      pump();
    },
    dispose() {
      disposed = true;
      queue.length = 0;
    },
  };
}
