// What the UI needs from the platform beyond the services: the remote's extra keys, leaving
// the app, and gamepad readings. Built at the page's composition root (src/main.ts) from
// src/platform/{browser,tizen}/, passed down, and faked in tests.

import type { GamepadSnapshot } from '../input/gamepad-snapshot.ts';

export interface KeyRegistry {
  /** Asks for remote keys beyond arrows, Enter and Back; keys the TV refuses are skipped. */
  registerKeys(names: readonly string[]): void;
}

export interface AppLifecycle {
  /** The app may close itself: true on a TV (Back at the root asks first), false in a browser tab. */
  readonly canExit: boolean;
  exit(): void;
}

export interface GamepadPoller {
  /** Calls `onReading` with every reading of the connected pads and the time it was taken; returns a stop function. */
  start(onReading: (pads: GamepadSnapshot[], nowMs: number) => void): () => void;
}

export interface UiPlatform {
  readonly name: 'browser' | 'tizen';
  readonly keys: KeyRegistry;
  readonly lifecycle: AppLifecycle;
  readonly gamepads: GamepadPoller;
}
