// What the simulator records, for tests to assert on and wait for (never by sleeping).

export type PairRequestPhase =
  | 'getservercert'
  | 'clientchallenge'
  | 'serverchallengeresp'
  | 'clientpairingsecret'
  | 'pairchallenge'
  | 'other';

export type HostSimEvent =
  | { kind: 'request'; scheme: 'http' | 'https'; method: string; path: string; phase: PairRequestPhase | null; uniqueId: string | null }
  | { kind: 'bad-request'; scheme: 'http' | 'https'; reason: 'too-large' | 'malformed' | 'timeout' }
  | { kind: 'tls-rejected'; reason: 'no-certificate' | 'not-paired' }
  | { kind: 'pin-pending'; uniqueId: string }
  | { kind: 'pin-entered'; accepted: boolean }
  | { kind: 'pairing-failed'; uniqueId: string; reason: string }
  | { kind: 'paired'; uniqueId: string; name: string; uuid: string }
  | { kind: 'unpaired'; uuid: string }
  | { kind: 'launch'; appId: number; resume: boolean; sessionId: number }
  | { kind: 'cancel' };

export interface EventLog {
  emit(event: HostSimEvent): void;
  all(): readonly HostSimEvent[];
  subscribe(listener: (event: HostSimEvent) => void): () => void;
}

/**
 * Events kept for all(): a CLI host polled every few seconds for a day logs tens of
 * thousands; older ones are dropped (subscribers still see every event).
 */
export const MAX_KEPT_EVENTS = 10_000;

export function createEventLog(): EventLog {
  const events: HostSimEvent[] = [];
  const listeners = new Set<(event: HostSimEvent) => void>();
  return {
    emit(event) {
      events.push(event);
      if (events.length > MAX_KEPT_EVENTS) events.splice(0, events.length - MAX_KEPT_EVENTS);
      for (const l of [...listeners]) l(event);
    },
    all: () => events,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
