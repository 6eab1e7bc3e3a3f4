// What a screen can be asked to do, whatever device asked. Screens never see key codes or
// gamepad buttons (style guide D.9); src/input/input-table.ts turns raw input into these.

export type Direction = 'up' | 'down' | 'left' | 'right';

export type Intent =
  | Direction
  | 'confirm'
  | 'back'
  /** Options for the focused item (Tools on the remote, Start or X on a pad). */
  | 'menu'
  | 'info'
  | 'page-up'
  | 'page-down'
  | 'red'
  | 'green'
  | 'yellow'
  | 'blue'
  | 'play-pause'
  | 'play'
  | 'pause'
  | 'stop'
  | 'rewind'
  | 'fast-forward'
  | 'previous'
  | 'next';

export function isDirection(intent: Intent): intent is Direction {
  return intent === 'up' || intent === 'down' || intent === 'left' || intent === 'right';
}
