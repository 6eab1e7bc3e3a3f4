import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INPUT_TABLE, intentForGamepadButton, intentForKey, tizenKeysToRegister } from '../../../src/input/input-table.ts';
import type { Intent } from '../../../src/input/intent.ts';

const remoteCases: Array<{ name: string; keyCode: number; key: string; expected: Intent | null }> = [
  { name: 'Back', keyCode: 10009, key: 'XF86Back', expected: 'back' },
  { name: 'Back with an unknown key string', keyCode: 10009, key: 'Unidentified', expected: 'back' },
  { name: 'arrow up', keyCode: 38, key: 'ArrowUp', expected: 'up' },
  { name: 'arrow down', keyCode: 40, key: 'ArrowDown', expected: 'down' },
  { name: 'arrow left', keyCode: 37, key: 'ArrowLeft', expected: 'left' },
  { name: 'arrow right', keyCode: 39, key: 'ArrowRight', expected: 'right' },
  { name: 'Enter', keyCode: 13, key: 'Enter', expected: 'confirm' },
  { name: 'red', keyCode: 403, key: 'ColorF0Red', expected: 'red' },
  { name: 'green', keyCode: 404, key: 'ColorF1Green', expected: 'green' },
  { name: 'yellow', keyCode: 405, key: 'ColorF2Yellow', expected: 'yellow' },
  { name: 'blue', keyCode: 406, key: 'ColorF3Blue', expected: 'blue' },
  { name: 'play/pause', keyCode: 10252, key: 'MediaPlayPause', expected: 'play-pause' },
  { name: 'play', keyCode: 415, key: 'Unidentified', expected: 'play' },
  { name: 'pause', keyCode: 19, key: 'Unidentified', expected: 'pause' },
  { name: 'stop', keyCode: 413, key: 'Unidentified', expected: 'stop' },
  { name: 'rewind', keyCode: 412, key: 'Unidentified', expected: 'rewind' },
  { name: 'fast forward', keyCode: 417, key: 'Unidentified', expected: 'fast-forward' },
  { name: 'previous track', keyCode: 10232, key: 'Unidentified', expected: 'previous' },
  { name: 'next track', keyCode: 10233, key: 'Unidentified', expected: 'next' },
  { name: 'Tools', keyCode: 10135, key: 'Unidentified', expected: 'menu' },
  { name: 'Info', keyCode: 457, key: 'Unidentified', expected: 'info' },
  { name: 'channel up', keyCode: 427, key: 'Unidentified', expected: 'page-up' },
  { name: 'channel down', keyCode: 428, key: 'Unidentified', expected: 'page-down' },
  { name: 'Exit is left to the TV', keyCode: 10182, key: 'XF86Exit', expected: null },
  { name: 'volume up is left to the TV', keyCode: 447, key: 'AudioVolumeUp', expected: null },
];

for (const c of remoteCases) {
  test(`the remote's ${c.name} key (${c.keyCode}) means ${String(c.expected)}`, () => {
    assert.equal(intentForKey({ key: c.key, keyCode: c.keyCode }), c.expected);
  });
}

const keyboardCases: Array<{ key: string; keyCode: number; expected: Intent | null }> = [
  { key: 'Escape', keyCode: 27, expected: 'back' },
  { key: 'Backspace', keyCode: 8, expected: 'back' },
  { key: 'ContextMenu', keyCode: 93, expected: 'menu' },
  { key: 'PageUp', keyCode: 33, expected: 'page-up' },
  { key: 'PageDown', keyCode: 34, expected: 'page-down' },
  // Alt shares keyCode 18 with the remote's Menu key: it must not open anything.
  { key: 'Alt', keyCode: 18, expected: null },
  { key: 'a', keyCode: 65, expected: null },
  { key: '5', keyCode: 53, expected: null },
];

for (const c of keyboardCases) {
  test(`the keyboard's ${c.key} key means ${String(c.expected)}`, () => {
    assert.equal(intentForKey({ key: c.key, keyCode: c.keyCode }), c.expected);
  });
}

const gamepadCases: Array<{ button: number; name: string; expected: Intent | null }> = [
  { button: 0, name: 'A', expected: 'confirm' },
  { button: 1, name: 'B', expected: 'back' },
  { button: 2, name: 'X', expected: 'menu' },
  { button: 3, name: 'Y', expected: 'info' },
  { button: 4, name: 'left bumper', expected: 'page-up' },
  { button: 5, name: 'right bumper', expected: 'page-down' },
  { button: 8, name: 'Select', expected: 'info' },
  { button: 9, name: 'Start', expected: 'menu' },
  { button: 12, name: 'D-pad up', expected: 'up' },
  { button: 13, name: 'D-pad down', expected: 'down' },
  { button: 14, name: 'D-pad left', expected: 'left' },
  { button: 15, name: 'D-pad right', expected: 'right' },
  { button: 16, name: 'Home (left to the system)', expected: null },
];

for (const c of gamepadCases) {
  test(`gamepad button ${c.button} (${c.name}) means ${String(c.expected)}`, () => {
    assert.equal(intentForGamepadButton(c.button), c.expected);
  });
}

test('the keys registered on the TV are the colour, media, channel, Tools and Info keys and never Back or Exit', () => {
  const names = tizenKeysToRegister();
  for (const name of ['ColorF0Red', 'ColorF1Green', 'ColorF2Yellow', 'ColorF3Blue', 'MediaPlayPause', 'MediaStop', 'Tools', 'Info', 'ChannelUp']) {
    assert.ok(names.includes(name), `${name} is registered`);
  }
  assert.ok(!names.includes('Back'));
  assert.ok(!names.includes('Exit'));
  assert.equal(new Set(names).size, names.length, 'each name once');
});

test('no raw input in the table has two meanings', () => {
  const seen = new Map<string, Intent>();
  for (const row of INPUT_TABLE) {
    const raws = [
      ...(row.keyNames ?? []).map((k) => `key:${k}`),
      ...(row.keyCodes ?? []).map((c) => `code:${c}`),
      ...(row.tizenKeys ?? []).map((k) => `code:${k.code}`),
      ...(row.gamepadButtons ?? []).map((b) => `pad:${b}`),
    ];
    for (const raw of raws) {
      assert.equal(seen.get(raw) ?? row.intent, row.intent, raw);
      seen.set(raw, row.intent);
    }
  }
});
