import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserProfile, defaultSettings, tvProfile, type UserSettings } from '../../../../src/app/settings/user-settings.ts';
import {
  applyCommand,
  commandFor,
  focusOrder,
  loadProblemText,
  rowKey,
  settingRows,
  SETTINGS_BACK_KEY,
  type SettingRowId,
} from '../../../../src/ui/settings/settings-screen.ts';

const browser = browserProfile();
const tv = tvProfile({ uhdPanel: true, platformMajor: 7 });

/** Presses `intent` on the row `row` and answers the settings after it. */
function press(settings: UserSettings, profile: typeof browser, row: SettingRowId, intent: 'left' | 'right' | 'confirm'): UserSettings {
  return applyCommand(settings, profile, commandFor(intent, rowKey(row)));
}

function valueOf(settings: UserSettings, profile: typeof browser, row: SettingRowId): string | undefined {
  return settingRows(settings, profile).find((candidate) => candidate.id === row)?.value;
}

test('Down visits resolution, frame rate, bitrate, codec, audio channels, then Back in a browser', () => {
  assert.deepEqual(focusOrder(browser), ['setting:resolution', 'setting:fps', 'setting:bitrate', 'setting:codec', 'setting:audio-channels', SETTINGS_BACK_KEY]);
});

test('on a TV the audio output row comes before Back, and says why Web Audio exists', () => {
  assert.deepEqual(focusOrder(tv).slice(-2), ['setting:tv-audio', SETTINGS_BACK_KEY]);
  const row = settingRows(defaultSettings(tv), tv).find((candidate) => candidate.id === 'tv-audio');
  assert.equal(row?.value, 'TV player (PCM track)');
  assert.match(row?.note ?? '', /crackle/);
});

test('Right and Left step the frame rate and stop at the ends', () => {
  let settings = defaultSettings(browser);
  settings = press(settings, browser, 'fps', 'right');
  assert.equal(valueOf(settings, browser, 'fps'), '120 fps');
  assert.equal(press(settings, browser, 'fps', 'right'), settings, 'no change past the end');
  settings = press(press(settings, browser, 'fps', 'left'), browser, 'fps', 'left');
  assert.equal(valueOf(settings, browser, 'fps'), '30 fps');
  const row = settingRows(settings, browser).find((candidate) => candidate.id === 'fps');
  assert.equal(row?.canDecrease, false);
  assert.equal(row?.canIncrease, true);
});

test('Enter moves to the next choice and wraps round', () => {
  let settings = defaultSettings(browser);
  settings = press(settings, browser, 'audio-channels', 'confirm');
  assert.equal(valueOf(settings, browser, 'audio-channels'), '5.1 surround');
  settings = press(settings, browser, 'audio-channels', 'confirm');
  assert.equal(valueOf(settings, browser, 'audio-channels'), '7.1 surround');
  settings = press(settings, browser, 'audio-channels', 'confirm');
  assert.equal(valueOf(settings, browser, 'audio-channels'), 'Stereo');
});

test('the bitrate follows resolution until the user steps it, and again when stepped back onto the recommendation', () => {
  let settings = defaultSettings(browser);
  assert.equal(valueOf(settings, browser, 'bitrate'), '20 Mbit/s');
  settings = press(settings, browser, 'resolution', 'right');
  assert.equal(valueOf(settings, browser, 'resolution'), '1440p');
  assert.equal(valueOf(settings, browser, 'bitrate'), '40 Mbit/s');
  settings = press(settings, browser, 'bitrate', 'right');
  assert.deepEqual(settings.bitrate, { kind: 'custom', mbps: 50 });
  settings = press(settings, browser, 'resolution', 'left');
  assert.equal(valueOf(settings, browser, 'bitrate'), '50 Mbit/s', 'a custom bitrate stays');
  settings = press(press(settings, browser, 'bitrate', 'left'), browser, 'bitrate', 'left');
  assert.equal(valueOf(settings, browser, 'bitrate'), '35 Mbit/s');
  for (let i = 0; i < 3; i++) settings = press(settings, browser, 'bitrate', 'left');
  assert.deepEqual(settings.bitrate, { kind: 'recommended' });
});

test('in a browser the codec row shows H.264 alone and says why', () => {
  const settings = defaultSettings(browser);
  const row = settingRows(settings, browser).find((candidate) => candidate.id === 'codec');
  assert.equal(row?.value, 'H.264');
  assert.equal(row?.canIncrease, false);
  assert.match(row?.note ?? '', /H\.264 only/);
  assert.equal(press(settings, browser, 'codec', 'confirm'), settings);
});

test('on a TV the codec steps Automatic, H.265, H.264', () => {
  let settings = defaultSettings(tv);
  assert.equal(valueOf(settings, tv, 'codec'), 'Automatic');
  settings = press(settings, tv, 'codec', 'right');
  assert.equal(valueOf(settings, tv, 'codec'), 'H.265 (HEVC)');
  settings = press(settings, tv, 'codec', 'right');
  assert.equal(valueOf(settings, tv, 'codec'), 'H.264');
});

test('a TV steps its resolution up to 4K and no further, and its frame rate up to 60', () => {
  let settings: UserSettings = { ...defaultSettings(tv), resolution: '1440p' };
  settings = press(settings, tv, 'resolution', 'right');
  assert.equal(valueOf(settings, tv, 'resolution'), '4K');
  assert.equal(press(settings, tv, 'resolution', 'right'), settings);
  assert.equal(press(settings, tv, 'fps', 'right'), settings);
});

test('Up, Down, Back and keys on the Back button are left to the shell', () => {
  for (const intent of ['up', 'down', 'back', 'menu'] as const) assert.deepEqual(commandFor(intent, rowKey('fps')), { kind: 'none' }, intent);
  assert.deepEqual(commandFor('left', SETTINGS_BACK_KEY), { kind: 'none' });
  assert.deepEqual(commandFor('right', null), { kind: 'none' });
  assert.deepEqual(commandFor('right', 'setting:unknown'), { kind: 'none' });
});

test('load problems become one sentence, and none become none', () => {
  assert.equal(loadProblemText([]), null);
  assert.match(loadProblemText([{ kind: 'invalid-fields', fields: ['fps', 'bitrate'] }]) ?? '', /frame rate, bitrate/);
  assert.match(loadProblemText([{ kind: 'unreadable', detail: 'x' }]) ?? '', /defaults/);
});
