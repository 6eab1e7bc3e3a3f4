// The pairing dialog's state machine.
//
//   starting --started--> showing-pin --progress--> showing-pin (later stage)
//   starting|showing-pin --finished(ok)--> paired
//   starting|showing-pin --finished(err)--> failed, or cancelled when the error is `cancelled`
//   starting|showing-pin --cancel--> cancelled
//   failed --retry--> starting
// paired and cancelled are final; anything else arriving in a state is ignored, since
// late events from an attempt the user already left are normal.

import type { Result } from '../../lib/result.ts';
import type { PairingStage, ServiceError } from '../../app/services.ts';

export type PairingState =
  | { kind: 'starting' }
  | { kind: 'showing-pin'; pin: string; stage: PairingStage }
  | { kind: 'failed'; error: ServiceError }
  | { kind: 'paired' }
  | { kind: 'cancelled' };

export type PairingEvent =
  | { kind: 'started'; pin: string }
  | { kind: 'progress'; stage: PairingStage }
  | { kind: 'finished'; result: Result<void, ServiceError> }
  | { kind: 'cancel' }
  | { kind: 'retry' };

export function pairingStep(state: PairingState, event: PairingEvent): PairingState {
  const active = state.kind === 'starting' || state.kind === 'showing-pin';
  switch (event.kind) {
    case 'started':
      return state.kind === 'starting' ? { kind: 'showing-pin', pin: event.pin, stage: 'waiting-for-pin' } : state;
    case 'progress':
      return state.kind === 'showing-pin' ? { ...state, stage: event.stage } : state;
    case 'finished':
      if (!active) return state;
      if (event.result.ok) return { kind: 'paired' };
      return event.result.error.kind === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', error: event.result.error };
    case 'cancel':
      return active ? { kind: 'cancelled' } : state;
    case 'retry':
      return state.kind === 'failed' ? { kind: 'starting' } : state;
  }
}

/** The progress line under the PIN. */
export function stageText(stage: PairingStage, hostName: string): string {
  switch (stage) {
    case 'waiting-for-pin':
      return `Waiting for the PIN to be entered on ${hostName}.`;
    case 'challenge':
      return 'PIN received. Checking it…';
    case 'exchanging-secrets':
      return 'Exchanging keys…';
    case 'confirming':
      return 'Finishing pairing…';
  }
}
