// The clock of every target: `performance.now`, `Date.now` and `setTimeout` exist with the
// same meaning in windows, workers (Chromium 69 included) and Node, so one module serves all.

import type { Clock, TimerHandle } from '../platform.ts';

export function createWebClock(): Clock {
  // Handles are plain numbers on the seam; Node's timer objects stay in this table.
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  return {
    nowMs: () => performance.now(),
    wallMs: () => Date.now(),
    setTimer(delayMs, fn) {
      const id = nextId++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          fn();
        }, delayMs),
      );
      return { id };
    },
    clearTimer(handle: TimerHandle) {
      const timer = timers.get(handle.id);
      if (timer === undefined) return;
      clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}
