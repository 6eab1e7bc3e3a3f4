// The app's screens and dialogs, and how Back moves between them (over screen-stack.ts).

import { backAction, pop, push, rememberFocus, top, type Layer, type ScreenStack } from '../focus/screen-stack.ts';

export type Screen =
  /** Shown while the services start (the first start creates the client identity). */
  | { kind: 'starting' }
  | { kind: 'hosts' }
  | { kind: 'apps'; hostId: string }
  | { kind: 'add-host' }
  | { kind: 'pairing'; hostId: string }
  | { kind: 'details'; hostId: string }
  | { kind: 'exit-confirm' }
  /** The stream settings (resolution, frame rate, bitrate, codec, sound). */
  | { kind: 'settings' }
  /** A stream of one app: its start, the picture, and why it ended. */
  | { kind: 'stream'; hostId: string; appId: number };

export function layerOf(screen: Screen): Layer {
  switch (screen.kind) {
    case 'starting':
    case 'hosts':
    case 'apps':
    case 'stream':
    case 'settings':
      return 'screen';
    case 'add-host':
    case 'pairing':
    case 'details':
    case 'exit-confirm':
      return 'dialog';
  }
}

/** Opens `screen` over the current one, which remembers `focusedKey` for when it comes back. */
export function openScreen(stack: ScreenStack<Screen>, screen: Screen, focusedKey: string | null): ScreenStack<Screen> {
  return push(rememberFocus(stack, focusedKey), screen, layerOf(screen));
}

/** The stack after Back: the top closes, or at the root the exit question opens (when the platform can exit). */
export function goBack(stack: ScreenStack<Screen>, canExit: boolean, focusedKey: string | null): ScreenStack<Screen> {
  const action = backAction(stack, canExit);
  switch (action.kind) {
    case 'pop':
      return pop(stack);
    case 'ask-exit':
      return openScreen(stack, { kind: 'exit-confirm' }, focusedKey);
    case 'ignore':
      return stack;
  }
}

export function topScreen(stack: ScreenStack<Screen>): Screen {
  return top(stack).screen;
}
