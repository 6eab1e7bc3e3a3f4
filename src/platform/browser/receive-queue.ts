// Bridges an event-driven source (a Node stream, a WebSocket) to the pull-style
// `read(timeoutMs)` of the platform seam. Items wait here until someone takes them; a
// waiting reader gets the next item, the end of the stream, or a timeout. Shared by the
// Node sockets and the relay sockets, which differ only in where the events come from.
//
// The queue is bounded: a TCP source is asked to pause above the high-water mark and to
// resume once the reader has taken it below half of it (no byte is ever dropped), while
// a UDP source simply loses datagrams that do not fit, as a full kernel buffer would.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError } from '../platform.ts';

/** How the stream ended: the peer finished (`eof`) or something failed. */
export type QueueEnd = { kind: 'eof' } | { kind: 'error'; error: NetError };

export type Overflow =
  | { kind: 'drop' }
  | { kind: 'pause'; pause: () => void; resume: () => void };

export interface ReceiveQueueOptions<T> {
  /** The size an item counts for against `highWater` (bytes, usually). */
  sizeOf: (item: T) => number;
  highWater: number;
  overflow: Overflow;
}

export interface ReceiveQueue<T> {
  push(item: T): void;
  /** No more items will come; queued ones can still be taken. Only the first call counts. */
  finish(end: QueueEnd): void;
  /** Drops queued items and fails every current and later take with `error`. */
  abort(error: NetError): void;
  /** The next item; `null` once the stream ended with `eof` and nothing is queued. */
  take(timeoutMs: number): Promise<Result<T | null, NetError>>;
  /** Items lost to the `drop` overflow policy. */
  readonly droppedCount: number;
  readonly ended: boolean;
}

interface Waiter<T> {
  settle: (result: Result<T | null, NetError>) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export function createReceiveQueue<T>(options: ReceiveQueueOptions<T>): ReceiveQueue<T> {
  const items: T[] = [];
  const waiters: Waiter<T>[] = [];
  let queuedSize = 0;
  let paused = false;
  let end: QueueEnd | null = null;
  let aborted: NetError | null = null;
  let droppedCount = 0;

  function endResult(): Result<T | null, NetError> | null {
    if (aborted !== null) return err(aborted);
    if (end === null) return null;
    return end.kind === 'eof' ? ok(null) : err(end.error);
  }

  function afterTake(item: T): void {
    queuedSize -= options.sizeOf(item);
    if (paused && queuedSize <= options.highWater / 2 && options.overflow.kind === 'pause') {
      paused = false;
      options.overflow.resume();
    }
  }

  function settleWaiters(): void {
    const result = endResult();
    if (result === null) return;
    for (const waiter of waiters.splice(0)) {
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.settle(result);
    }
  }

  return {
    push(item) {
      if (end !== null || aborted !== null) return;
      const waiter = waiters.shift();
      if (waiter !== undefined) {
        if (waiter.timer !== null) clearTimeout(waiter.timer);
        waiter.settle(ok(item));
        return;
      }
      const size = options.sizeOf(item);
      if (options.overflow.kind === 'drop' && queuedSize + size > options.highWater) {
        droppedCount += 1;
        return;
      }
      items.push(item);
      queuedSize += size;
      if (!paused && queuedSize > options.highWater && options.overflow.kind === 'pause') {
        paused = true;
        options.overflow.pause();
      }
    },
    finish(how) {
      if (end !== null || aborted !== null) return;
      end = how;
      if (items.length === 0) settleWaiters();
    },
    abort(error) {
      if (aborted !== null) return;
      aborted = error;
      items.length = 0;
      queuedSize = 0;
      settleWaiters();
    },
    take(timeoutMs) {
      const item = items.shift();
      if (item !== undefined) {
        afterTake(item);
        return Promise.resolve(ok(item));
      }
      const ended = endResult();
      if (ended !== null) return Promise.resolve(ended);
      if (timeoutMs <= 0) return Promise.resolve(err(timeoutError(timeoutMs)));
      return new Promise((resolve) => {
        const waiter: Waiter<T> = { settle: resolve, timer: null };
        waiter.timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          resolve(err(timeoutError(timeoutMs)));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    get droppedCount() {
      return droppedCount;
    },
    get ended() {
      return end !== null || aborted !== null;
    },
  };
}

function timeoutError(timeoutMs: number): NetError {
  return { kind: 'timeout', detail: `nothing received within ${timeoutMs} ms` };
}
