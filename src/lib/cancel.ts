// Cancellation as a value passed down, so that a long wait (the pairing PIN, a slow host)
// can be ended from the UI and the code that waits decides how to clean up (close its socket).

/** Observes one cancellation; once `cancelled` is true it stays true. */
export interface CancelSignal {
  readonly cancelled: boolean;
  /** Runs `fn` once when cancelled; at once if already cancelled. */
  onCancel(fn: () => void): void;
}

export function createCancelSource(): { signal: CancelSignal; cancel(): void } {
  let cancelled = false;
  let listeners: Array<() => void> = [];
  const signal: CancelSignal = {
    get cancelled() {
      return cancelled;
    },
    onCancel(fn) {
      if (cancelled) fn();
      else listeners.push(fn);
    },
  };
  return {
    signal,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      const toRun = listeners;
      listeners = [];
      for (const fn of toRun) fn();
    },
  };
}

/** A signal that is never cancelled, for callers that have nothing to cancel. */
export const neverCancelled: CancelSignal = {
  cancelled: false,
  onCancel() {},
};
