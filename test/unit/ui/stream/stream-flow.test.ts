// The stream screen's behaviour without a DOM: starting, the other-app question, the stop keys,
// the statistics overlay and the endings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamInfo, StreamStats } from '../../../../src/app/services.ts';
import { INITIAL_STREAM_FLOW, stageText, statsLines, stepStreamFlow, type StreamFlowInput, type StreamFlowState } from '../../../../src/ui/stream/stream-flow.ts';

const INFO: StreamInfo = { appId: 42, start: 'launched', codec: 'hevc', width: 1280, height: 720, fps: 60, hdr: false, audioChannels: 2 };
const STREAMING: StreamFlowState = { kind: 'streaming', info: INFO, firstFrame: true, overlay: false, stats: null, askingStop: false };

/** Runs inputs from `from`; answers the last state and every effect, in order. */
function run(from: StreamFlowState, ...inputs: StreamFlowInput[]) {
  let state = from;
  const effects: string[] = [];
  let handled = true;
  for (const input of inputs) {
    const step = stepStreamFlow(state, input);
    state = step.state;
    effects.push(...step.effects);
    handled = step.handled;
  }
  return { state, effects, handled };
}

test('progress stages show while starting, and a started stream shows the picture screen', () => {
  const r = run(INITIAL_STREAM_FLOW, { kind: 'progress', stage: 'launching' }, { kind: 'progress', stage: 'negotiating' });
  assert.deepEqual(r.state, { kind: 'starting', stage: 'negotiating' });
  const started = run(r.state, { kind: 'started', result: { ok: true, value: INFO } });
  assert.deepEqual(started.state, { kind: 'streaming', info: INFO, firstFrame: false, overlay: false, stats: null, askingStop: false });
  const shown = run(started.state, { kind: 'stream-event', event: { kind: 'first-frame', afterMs: 700 } });
  assert.equal(shown.state.kind === 'streaming' && shown.state.firstFrame, true);
});

test('Back while starting cancels the start and closes the screen', () => {
  assert.deepEqual(run(INITIAL_STREAM_FLOW, { kind: 'intent', intent: 'back' }).effects, ['cancel-start', 'close-screen']);
});

test('another app running asks first; quitting it starts the stream again', () => {
  const asked = run(INITIAL_STREAM_FLOW, { kind: 'started', result: { ok: false, error: { kind: 'app-running', runningAppId: 7 } } });
  assert.deepEqual(asked.state, { kind: 'app-running', runningAppId: 7 });
  const quit = run(asked.state, { kind: 'choice', choice: 'quit-and-start' });
  assert.deepEqual(quit, { state: { kind: 'quitting' }, effects: ['quit-app'], handled: true });
  const restarted = run(quit.state, { kind: 'quit-done', result: { ok: true, value: undefined } });
  assert.deepEqual(restarted, { state: { kind: 'starting', stage: null }, effects: ['start-stream'], handled: true });
  assert.deepEqual(run(asked.state, { kind: 'choice', choice: 'cancel' }).effects, ['close-screen']);
});

test('a failed start shows the error with a retry; a cancelled one just closes', () => {
  const failed = run(INITIAL_STREAM_FLOW, { kind: 'started', result: { ok: false, error: { kind: 'timeout', detail: 'x' } } });
  assert.deepEqual(failed.state, { kind: 'failed', error: { kind: 'timeout', detail: 'x' } });
  assert.deepEqual(run(failed.state, { kind: 'choice', choice: 'retry' }).effects, ['start-stream']);
  assert.deepEqual(run(INITIAL_STREAM_FLOW, { kind: 'started', result: { ok: false, error: { kind: 'cancelled' } } }).effects, ['close-screen']);
});

test('Back while streaming asks "Stop streaming?"; a second Back keeps streaming, Stop stops', () => {
  const asked = run(STREAMING, { kind: 'intent', intent: 'back' });
  assert.equal(asked.state.kind === 'streaming' && asked.state.askingStop, true);
  assert.deepEqual(asked.effects, []);
  const kept = run(asked.state, { kind: 'intent', intent: 'back' });
  assert.equal(kept.state.kind === 'streaming' && kept.state.askingStop, false);
  // The question's buttons take focus moves and presses from the shell.
  assert.equal(run(asked.state, { kind: 'intent', intent: 'left' }).handled, false);
  assert.deepEqual(run(asked.state, { kind: 'choice', choice: 'stop' }).effects, ['stop-stream']);
});

test('Red stops at once, Yellow toggles the statistics, and other keys stay with the game', () => {
  assert.deepEqual(run(STREAMING, { kind: 'intent', intent: 'red' }), { state: { kind: 'stopping' }, effects: ['stop-stream'], handled: true });
  const shown = run(STREAMING, { kind: 'intent', intent: 'yellow' });
  assert.equal(shown.state.kind === 'streaming' && shown.state.overlay, true);
  const hidden = run(shown.state, { kind: 'intent', intent: 'yellow' });
  assert.equal(hidden.state.kind === 'streaming' && hidden.state.overlay, false);
  for (const intent of ['up', 'confirm', 'green', 'menu'] as const) assert.deepEqual(run(STREAMING, { kind: 'intent', intent }), { state: STREAMING, effects: [], handled: true });
});

test('the host ending the stream shows its reason; a stop asked for here closes the screen', () => {
  const end = { kind: 'host-terminated', code: 0x80030023, graceful: true } as const;
  assert.deepEqual(run(STREAMING, { kind: 'stream-event', event: { kind: 'ended', end } }).state, { kind: 'ended', end });
  const stopped = run(STREAMING, { kind: 'intent', intent: 'red' }, { kind: 'stream-event', event: { kind: 'ended', end: { kind: 'stopped' } } });
  assert.deepEqual(stopped.effects, ['stop-stream', 'close-screen']);
});

test('stage lines name the app and the PC', () => {
  assert.equal(stageText('launching', { app: 'Steam', host: 'Study PC' }), 'Starting “Steam”…');
  assert.equal(stageText('resuming', { app: 'Steam', host: 'Study PC' }), 'Returning to “Steam”…');
  assert.equal(stageText(null, { app: 'Steam', host: 'Study PC' }), 'Checking “Study PC”…');
});

test('the statistics overlay has the format, the frame counts, the sound delay and the first-picture time', () => {
  const stats: StreamStats = { framesComplete: 600, framesRecoveredByFec: 12, framesDropped: 1, idrRequests: 1, rfiRequests: 0, audioBlocks: 2000, audioConcealed: 3, packets: 70000, bytes: 52_400_000, firstFrameMs: 812.4, audioDelayMs: 23.6 };
  assert.deepEqual(statsLines(INFO, stats), [
    '1280×720 at 60 fps, H.265, stereo sound',
    'Frames: 600 shown, 12 repaired, 1 lost',
    'Key frame requests: 1 full, 0 partial',
    'Sound: 2000 blocks, 3 filled in',
    'Sound delay: 24 ms queued',
    'Received: 70000 packets, 52.4 MB',
    'First picture after 812 ms',
  ]);
  assert.deepEqual(statsLines(INFO, null), ['1280×720 at 60 fps, H.265, stereo sound']);
  assert.ok(statsLines(INFO, { ...stats, audioDelayMs: null }).includes('Sound delay: not measured'));
});

test('a broken player ends the stream and says so', () => {
  const r = run(STREAMING, { kind: 'media-failed', detail: 'decoder error' });
  assert.deepEqual(r, { state: { kind: 'ended', end: { kind: 'media', detail: 'decoder error' } }, effects: ['stop-stream'], handled: true });
  // The stop's own `stopped` does not hide the reason.
  assert.deepEqual(run(r.state, { kind: 'stream-event', event: { kind: 'ended', end: { kind: 'stopped' } } }).state, r.state);
});
