// The stream screen's behaviour without the DOM (style guide D.8): what it shows and what it
// asks for, from the start of a stream to its end.
//
// States, in the usual order:
//   starting ─► streaming ─► (stopping) ─► closed, or ended (the host's reason shown)
//      │  └─► app-running ─► quitting ─► starting      (another app ran: quit it first?)
//      └─► failed ─► starting (try again) | closed
// While streaming, Back asks "Stop streaming?" (a second Back, or Continue, keeps streaming),
// Red stops at once, Yellow shows or hides the statistics (platform/tizen.md §5.1: the ports'
// conventions). Every other intent is the game's, not the screen's.

import type { ServiceError, StreamEnd, StreamEvent, StreamInfo, StreamStage, StreamStats } from '../../app/services.ts';
import type { Intent } from '../../input/intent.ts';
import { assertNever, type Result } from '../../lib/result.ts';

export type StreamFlowState =
  | { kind: 'starting'; stage: StreamStage | null }
  | { kind: 'app-running'; runningAppId: number }
  | { kind: 'quitting' }
  | { kind: 'streaming'; info: StreamInfo; firstFrame: boolean; overlay: boolean; stats: StreamStats | null; askingStop: boolean }
  | { kind: 'stopping' }
  | { kind: 'ended'; end: StreamEnd }
  | { kind: 'failed'; error: ServiceError };

/** What the person chose on one of the screen's buttons. */
export type StreamChoice = 'quit-and-start' | 'cancel' | 'stop' | 'continue' | 'retry' | 'close';

export type StreamFlowInput =
  | { kind: 'progress'; stage: StreamStage }
  | { kind: 'started'; result: Result<StreamInfo, ServiceError> }
  | { kind: 'stream-event'; event: StreamEvent }
  | { kind: 'quit-done'; result: Result<void, ServiceError> }
  /** The page's player broke (a decoder error, the TV's media pipeline). */
  | { kind: 'media-failed'; detail: string }
  | { kind: 'intent'; intent: Intent }
  | { kind: 'choice'; choice: StreamChoice };

export type StreamFlowEffect = 'start-stream' | 'cancel-start' | 'quit-app' | 'stop-stream' | 'close-screen';

export interface StreamFlowStep {
  state: StreamFlowState;
  effects: StreamFlowEffect[];
  /** The intent was the screen's (false: the shell may move focus or press the focused button). */
  handled: boolean;
}

export const INITIAL_STREAM_FLOW: StreamFlowState = { kind: 'starting', stage: null };

export function stepStreamFlow(state: StreamFlowState, input: StreamFlowInput): StreamFlowStep {
  const to = (next: StreamFlowState, ...effects: StreamFlowEffect[]): StreamFlowStep => ({ state: next, effects, handled: true });
  const stay: StreamFlowStep = { state, effects: [], handled: true };
  switch (input.kind) {
    case 'progress':
      return state.kind === 'starting' ? to({ kind: 'starting', stage: input.stage }) : stay;
    case 'started': {
      if (state.kind !== 'starting') return stay;
      if (input.result.ok) return to({ kind: 'streaming', info: input.result.value, firstFrame: false, overlay: false, stats: null, askingStop: false });
      const error = input.result.error;
      if (error.kind === 'cancelled') return to(state, 'close-screen');
      if (error.kind === 'app-running') return to({ kind: 'app-running', runningAppId: error.runningAppId });
      return to({ kind: 'failed', error });
    }
    case 'stream-event':
      return onStreamEvent(state, input.event);
    case 'quit-done':
      if (state.kind !== 'quitting') return stay;
      return input.result.ok ? to({ kind: 'starting', stage: null }, 'start-stream') : to({ kind: 'failed', error: input.result.error });
    case 'media-failed':
      // The stream cannot be seen any more: end it and say why.
      return state.kind === 'streaming' ? to({ kind: 'ended', end: { kind: 'media', detail: input.detail } }, 'stop-stream') : stay;
    case 'intent':
      return onIntent(state, input.intent);
    case 'choice':
      return onChoice(state, input.choice);
    default:
      return assertNever(input);
  }
}

function onStreamEvent(state: StreamFlowState, event: StreamEvent): StreamFlowStep {
  const to = (next: StreamFlowState, ...effects: StreamFlowEffect[]): StreamFlowStep => ({ state: next, effects, handled: true });
  if (event.kind === 'ended') {
    if (state.kind !== 'streaming' && state.kind !== 'stopping') return to(state);
    // A stop asked for here needs no explanation: the screen just closes.
    return event.end.kind === 'stopped' ? to({ kind: 'stopping' }, 'close-screen') : to({ kind: 'ended', end: event.end });
  }
  if (state.kind !== 'streaming') return to(state);
  switch (event.kind) {
    case 'first-frame':
      return to({ ...state, firstFrame: true });
    case 'stats':
      return to({ ...state, stats: event.stats });
    case 'connected':
    case 'hdr-mode':
    case 'rumble':
      return to(state);
    default:
      return assertNever(event);
  }
}

function onIntent(state: StreamFlowState, intent: Intent): StreamFlowStep {
  const to = (next: StreamFlowState, ...effects: StreamFlowEffect[]): StreamFlowStep => ({ state: next, effects, handled: true });
  const notMine: StreamFlowStep = { state, effects: [], handled: false };
  switch (state.kind) {
    case 'starting':
      return intent === 'back' ? to(state, 'cancel-start', 'close-screen') : notMine;
    case 'app-running':
    case 'ended':
    case 'failed':
      return intent === 'back' ? to(state, 'close-screen') : notMine;
    case 'quitting':
    case 'stopping':
      return to(state);
    case 'streaming':
      if (intent === 'red') return to({ kind: 'stopping' }, 'stop-stream');
      if (intent === 'yellow') return to({ ...state, overlay: !state.overlay });
      if (state.askingStop) {
        // The question's buttons take directions and confirm; Back answers "keep streaming".
        return intent === 'back' ? to({ ...state, askingStop: false }) : notMine;
      }
      if (intent === 'back' || intent === 'stop') return to({ ...state, askingStop: true });
      // Everything else belongs to the game.
      return to(state);
    default:
      return assertNever(state);
  }
}

function onChoice(state: StreamFlowState, choice: StreamChoice): StreamFlowStep {
  const to = (next: StreamFlowState, ...effects: StreamFlowEffect[]): StreamFlowStep => ({ state: next, effects, handled: true });
  switch (choice) {
    case 'quit-and-start':
      return state.kind === 'app-running' ? to({ kind: 'quitting' }, 'quit-app') : to(state);
    case 'retry':
      return state.kind === 'failed' ? to({ kind: 'starting', stage: null }, 'start-stream') : to(state);
    case 'stop':
      return state.kind === 'streaming' ? to({ kind: 'stopping' }, 'stop-stream') : to(state);
    case 'continue':
      return state.kind === 'streaming' ? to({ ...state, askingStop: false }) : to(state);
    case 'cancel':
    case 'close':
      return to(state, 'close-screen');
    default:
      return assertNever(choice);
  }
}

/** The progress line while a stream starts. */
export function stageText(stage: StreamStage | null, names: { app: string; host: string }): string {
  switch (stage) {
    case null:
    case 'checking-host':
      return `Checking “${names.host}”…`;
    case 'launching':
      return `Starting “${names.app}”…`;
    case 'resuming':
      return `Returning to “${names.app}”…`;
    case 'negotiating':
      return 'Setting up the stream…';
    case 'connecting':
      return 'Connecting…';
    default:
      return assertNever(stage);
  }
}

/** The statistics overlay, one line each. */
export function statsLines(info: StreamInfo, stats: StreamStats | null): string[] {
  const codec = info.codec === 'hevc' ? 'H.265' : info.codec === 'h264' ? 'H.264' : 'AV1';
  const head = `${info.width}×${info.height} at ${info.fps} fps, ${codec}${info.hdr ? ' HDR' : ''}, ${audioName(info.audioChannels)} sound`;
  if (stats === null) return [head];
  return [
    head,
    `Frames: ${stats.framesComplete} shown, ${stats.framesRecoveredByFec} repaired, ${stats.framesDropped} lost`,
    `Key frame requests: ${stats.idrRequests} full, ${stats.rfiRequests} partial`,
    `Sound: ${stats.audioBlocks} blocks, ${stats.audioConcealed} filled in`,
    stats.audioDelayMs === null ? 'Sound delay: not measured' : `Sound delay: ${Math.round(stats.audioDelayMs)} ms queued`,
    `Received: ${stats.packets} packets, ${(stats.bytes / 1e6).toFixed(1)} MB`,
    stats.firstFrameMs === null ? 'First picture: not yet' : `First picture after ${Math.round(stats.firstFrameMs)} ms`,
  ];
}

function audioName(channels: number): string {
  return channels === 8 ? '7.1' : channels === 6 ? '5.1' : 'stereo';
}
