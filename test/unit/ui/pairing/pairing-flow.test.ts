import { test } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok } from '../../../../src/lib/result.ts';
import { pairingStep, stageText, type PairingEvent, type PairingState } from '../../../../src/ui/pairing/pairing-flow.ts';

function run(events: PairingEvent[]): PairingState {
  return events.reduce(pairingStep, { kind: 'starting' } as PairingState);
}

test('a started attempt shows the PIN and waits for it to be entered', () => {
  assert.deepEqual(run([{ kind: 'started', pin: '0427' }]), { kind: 'showing-pin', pin: '0427', stage: 'waiting-for-pin' });
});

test('progress moves the stage on while the PIN stays', () => {
  assert.deepEqual(run([{ kind: 'started', pin: '0427' }, { kind: 'progress', stage: 'exchanging-secrets' }]), {
    kind: 'showing-pin',
    pin: '0427',
    stage: 'exchanging-secrets',
  });
});

test('success ends in paired', () => {
  assert.deepEqual(run([{ kind: 'started', pin: '1111' }, { kind: 'finished', result: ok(undefined) }]), { kind: 'paired' });
});

test('a wrong PIN ends in failed with that error, and Try again starts over', () => {
  const failed = run([{ kind: 'started', pin: '1111' }, { kind: 'finished', result: err({ kind: 'wrong-pin' }) }]);
  assert.deepEqual(failed, { kind: 'failed', error: { kind: 'wrong-pin' } });
  assert.deepEqual(pairingStep(failed, { kind: 'retry' }), { kind: 'starting' });
});

test('an attempt that could not start fails with its error', () => {
  assert.deepEqual(run([{ kind: 'finished', result: err({ kind: 'unreachable', detail: 'refused' }) }]), {
    kind: 'failed',
    error: { kind: 'unreachable', detail: 'refused' },
  });
});

test('Cancel ends the attempt, and its late cancelled result changes nothing', () => {
  const state = run([{ kind: 'started', pin: '1111' }, { kind: 'cancel' }, { kind: 'finished', result: err({ kind: 'cancelled' }) }]);
  assert.deepEqual(state, { kind: 'cancelled' });
});

test('a cancelled result from the services reads as cancelled, not as a failure', () => {
  assert.deepEqual(run([{ kind: 'started', pin: '1111' }, { kind: 'finished', result: err({ kind: 'cancelled' }) }]), { kind: 'cancelled' });
});

test('a late success after Cancel does not reopen anything', () => {
  assert.deepEqual(run([{ kind: 'cancel' }, { kind: 'finished', result: ok(undefined) }]), { kind: 'cancelled' });
});

test('progress before the PIN is known and retry while running are ignored', () => {
  assert.deepEqual(run([{ kind: 'progress', stage: 'challenge' }, { kind: 'retry' }]), { kind: 'starting' });
});

test('the waiting line names the host', () => {
  assert.match(stageText('waiting-for-pin', 'Gaming PC'), /Gaming PC/);
});
