// The one table from raw input to intents: keyboard keys, the Samsung remote and the W3C
// "standard" gamepad layout (style guide D.9). Everything else in src/input derives from it.
// Codes are from platform/tizen.md section 5.1 and the W3C Gamepad standard mapping.

import type { Intent } from './intent.ts';

/** A remote key that reaches the page only after `tizen.tvinputdevice` registration. */
export interface TizenKey {
  name: string;
  code: number;
}

export interface InputRow {
  intent: Intent;
  /** `KeyboardEvent.key` values. */
  keyNames?: readonly string[];
  /** `KeyboardEvent.keyCode` values delivered without registration (keyboard, or always-on remote keys). */
  keyCodes?: readonly number[];
  tizenKeys?: readonly TizenKey[];
  /** Button indices of the standard gamepad mapping. */
  gamepadButtons?: readonly number[];
}

/** The subset of a KeyboardEvent the table reads. */
export interface KeyPress {
  key: string;
  keyCode: number;
}

export const INPUT_TABLE: readonly InputRow[] = [
  { intent: 'up', keyNames: ['ArrowUp', 'Up'], keyCodes: [38], gamepadButtons: [12] },
  { intent: 'down', keyNames: ['ArrowDown', 'Down'], keyCodes: [40], gamepadButtons: [13] },
  { intent: 'left', keyNames: ['ArrowLeft', 'Left'], keyCodes: [37], gamepadButtons: [14] },
  { intent: 'right', keyNames: ['ArrowRight', 'Right'], keyCodes: [39], gamepadButtons: [15] },
  { intent: 'confirm', keyNames: ['Enter'], keyCodes: [13], gamepadButtons: [0] },
  // Back (10009) is always delivered on the TV and must never be registered (tizen.md 5.1).
  // Backspace counts as Back only outside text fields; the key dispatcher lets fields keep it.
  {
    intent: 'back',
    keyNames: ['Escape', 'Esc', 'Backspace', 'XF86Back', 'GoBack', 'BrowserBack'],
    keyCodes: [27, 8, 10009],
    gamepadButtons: [1],
  },
  // The remote's Menu key shares code 18 with a keyboard's Alt, so only Tools opens options.
  {
    intent: 'menu',
    keyNames: ['ContextMenu'],
    keyCodes: [93],
    tizenKeys: [{ name: 'Tools', code: 10135 }],
    gamepadButtons: [2, 9],
  },
  { intent: 'info', keyNames: ['Info'], tizenKeys: [{ name: 'Info', code: 457 }], gamepadButtons: [3, 8] },
  { intent: 'page-up', keyNames: ['PageUp'], keyCodes: [33], tizenKeys: [{ name: 'ChannelUp', code: 427 }], gamepadButtons: [4] },
  { intent: 'page-down', keyNames: ['PageDown'], keyCodes: [34], tizenKeys: [{ name: 'ChannelDown', code: 428 }], gamepadButtons: [5] },
  { intent: 'red', tizenKeys: [{ name: 'ColorF0Red', code: 403 }] },
  { intent: 'green', tizenKeys: [{ name: 'ColorF1Green', code: 404 }] },
  { intent: 'yellow', tizenKeys: [{ name: 'ColorF2Yellow', code: 405 }] },
  { intent: 'blue', tizenKeys: [{ name: 'ColorF3Blue', code: 406 }] },
  { intent: 'play-pause', keyNames: ['MediaPlayPause'], tizenKeys: [{ name: 'MediaPlayPause', code: 10252 }] },
  { intent: 'play', keyNames: ['MediaPlay'], tizenKeys: [{ name: 'MediaPlay', code: 415 }] },
  { intent: 'pause', keyNames: ['MediaPause'], tizenKeys: [{ name: 'MediaPause', code: 19 }] },
  { intent: 'stop', keyNames: ['MediaStop'], tizenKeys: [{ name: 'MediaStop', code: 413 }] },
  { intent: 'rewind', keyNames: ['MediaRewind'], tizenKeys: [{ name: 'MediaRewind', code: 412 }] },
  { intent: 'fast-forward', keyNames: ['MediaFastForward'], tizenKeys: [{ name: 'MediaFastForward', code: 417 }] },
  { intent: 'previous', keyNames: ['MediaTrackPrevious'], tizenKeys: [{ name: 'MediaTrackPrevious', code: 10232 }] },
  { intent: 'next', keyNames: ['MediaTrackNext'], tizenKeys: [{ name: 'MediaTrackNext', code: 10233 }] },
];

/** The intent of a key press, or null for keys the UI does not use (letters, digits, volume). */
export function intentForKey(press: KeyPress): Intent | null {
  // `key` names first: they tell a keyboard's keys apart where codes collide with the remote's.
  return BY_KEY_NAME.get(press.key) ?? BY_KEY_CODE.get(press.keyCode) ?? null;
}

/** The intent of a button of a pad with the standard mapping. */
export function intentForGamepadButton(buttonIndex: number): Intent | null {
  return BY_GAMEPAD_BUTTON.get(buttonIndex) ?? null;
}

/** Names to pass to `tizen.tvinputdevice.registerKeyBatch`. */
export function tizenKeysToRegister(): string[] {
  return INPUT_TABLE.flatMap((row) => (row.tizenKeys ?? []).map((key) => key.name));
}

function index<K>(keysOf: (row: InputRow) => readonly K[]): Map<K, Intent> {
  const map = new Map<K, Intent>();
  for (const row of INPUT_TABLE) {
    for (const key of keysOf(row)) {
      // A raw input with two meanings is a bug in the table, caught at load time.
      if (map.has(key)) throw new Error(`input table: ${String(key)} maps to two intents`);
      map.set(key, row.intent);
    }
  }
  return map;
}

const BY_KEY_NAME = index((row) => row.keyNames ?? []);
const BY_KEY_CODE = index((row) => [...(row.keyCodes ?? []), ...(row.tizenKeys ?? []).map((key) => key.code)]);
const BY_GAMEPAD_BUTTON = index((row) => row.gamepadButtons ?? []);
