// Turns a stream of gamepad readings into intents, the way a held key on a keyboard
// auto-repeats: a press gives one intent at once, and a direction still held after
// `initialDelayMs` repeats every `repeatIntervalMs`. Time comes in with every reading.
//
// A pad's first reading only records what is already held: Chromium reveals a pad only
// after a button press (platform/tizen.md 5.3), and that waking press must not also
// activate whatever has focus. A control held at that moment counts once it is released.

import { intentForGamepadButton } from './input-table.ts';
import type { GamepadSnapshot } from './gamepad-snapshot.ts';
import type { Direction, Intent } from './intent.ts';

export interface RepeatTiming {
  initialDelayMs: number;
  repeatIntervalMs: number;
}

export interface StickThresholds {
  /** How far the stick must lean (0..1) before it counts as a direction. */
  pressThreshold: number;
  /** Once leaning, how far back it must come before it stops counting; below pressThreshold so a stick resting near the edge does not chatter. */
  releaseThreshold: number;
}

export interface GamepadIntents {
  /** The intents produced since the last reading, in order. */
  sample(pads: readonly GamepadSnapshot[], nowMs: number): Intent[];
}

/** About the delay and rate of a TV remote's auto-repeat: quick enough to cross a row, slow enough to stop on an item. */
export const DEFAULT_REPEAT: RepeatTiming = { initialDelayMs: 400, repeatIntervalMs: 120 };
export const DEFAULT_STICK: StickThresholds = { pressThreshold: 0.5, releaseThreshold: 0.35 };

export function createGamepadIntents(
  timing: RepeatTiming = DEFAULT_REPEAT,
  stick: StickThresholds = DEFAULT_STICK,
): GamepadIntents {
  const pads = new Map<string, PadState>();

  return {
    sample(snapshots, nowMs) {
      const out: Intent[] = [];
      const seen = new Set<string>();
      for (const snapshot of snapshots) {
        seen.add(snapshot.id);
        const known = pads.get(snapshot.id);
        const state = known ?? { held: new Map(), stickDirection: null };
        if (known === undefined) pads.set(snapshot.id, state);
        state.stickDirection = stickDirection(snapshot.axes, state.stickDirection, stick);
        const heldNow = heldIntents(snapshot, state.stickDirection);
        step(state, heldNow, nowMs, known === undefined, timing, out);
      }
      for (const id of [...pads.keys()]) if (!seen.has(id)) pads.delete(id);
      return out;
    },
  };
}

interface HeldIntent {
  /** Held since before the pad was first seen: ignored until released. */
  suppressed: boolean;
  /** When it repeats next; null for intents that never repeat. */
  nextRepeatMs: number | null;
}

interface PadState {
  held: Map<Intent, HeldIntent>;
  stickDirection: Direction | null;
}

function step(state: PadState, heldNow: Set<Intent>, nowMs: number, firstReading: boolean, timing: RepeatTiming, out: Intent[]): void {
  for (const intent of [...state.held.keys()]) if (!heldNow.has(intent)) state.held.delete(intent);
  for (const intent of heldNow) {
    const held = state.held.get(intent);
    if (held === undefined) {
      const repeats = REPEATING.has(intent);
      state.held.set(intent, {
        suppressed: firstReading,
        nextRepeatMs: repeats ? nowMs + timing.initialDelayMs : null,
      });
      if (!firstReading) out.push(intent);
      continue;
    }
    if (held.suppressed || held.nextRepeatMs === null || nowMs < held.nextRepeatMs) continue;
    out.push(intent);
    // Keep the cadence when readings are late, but never burst to catch up after a stall.
    const next = held.nextRepeatMs + timing.repeatIntervalMs;
    held.nextRepeatMs = next > nowMs ? next : nowMs + timing.repeatIntervalMs;
  }
}

function heldIntents(snapshot: GamepadSnapshot, stick: Direction | null): Set<Intent> {
  const held = new Set<Intent>();
  snapshot.pressed.forEach((pressed, index) => {
    if (!pressed) return;
    // Without the standard mapping only the two face buttons are known to mean yes/no.
    const intent = snapshot.standard ? intentForGamepadButton(index) : (NON_STANDARD_BUTTONS.get(index) ?? null);
    if (intent !== null) held.add(intent);
  });
  if (stick !== null) held.add(stick);
  return held;
}

function stickDirection(axes: readonly number[], current: Direction | null, thresholds: StickThresholds): Direction | null {
  const x = finiteOrZero(axes[0]);
  const y = finiteOrZero(axes[1]);
  if (current !== null && lean(current, x, y) >= thresholds.releaseThreshold) return current;
  if (Math.max(Math.abs(x), Math.abs(y)) < thresholds.pressThreshold) return null;
  // Only the dominant axis counts: a diagonal must not move focus two ways at once.
  if (Math.abs(x) > Math.abs(y)) return x > 0 ? 'right' : 'left';
  return y > 0 ? 'down' : 'up';
}

function lean(direction: Direction, x: number, y: number): number {
  switch (direction) {
    case 'up':
      return -y;
    case 'down':
      return y;
    case 'left':
      return -x;
    case 'right':
      return x;
  }
}

function finiteOrZero(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) ? value : 0;
}

const REPEATING: ReadonlySet<Intent> = new Set<Intent>(['up', 'down', 'left', 'right', 'page-up', 'page-down']);
const NON_STANDARD_BUTTONS: ReadonlyMap<number, Intent> = new Map<number, Intent>([
  [0, 'confirm'],
  [1, 'back'],
]);
