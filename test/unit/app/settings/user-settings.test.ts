import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VideoFormat } from '../../../../src/session/stream-config.ts';
import {
  browserProfile,
  chooseBitrate,
  defaultSettings,
  fitToProfile,
  MAX_BITRATE_MBPS,
  parseStoredSettings,
  recommendedBitrateMbps,
  serializeSettings,
  stepBitrateMbps,
  toStreamSettings,
  tvProfile,
  type UserSettings,
} from '../../../../src/app/settings/user-settings.ts';

const browser = browserProfile();
const uhdTv = tvProfile({ uhdPanel: true, platformMajor: 7 });

test('a browser defaults to 1080p60, H.264, stereo and the recommended bitrate', () => {
  assert.deepEqual(defaultSettings(browser), { resolution: '1080p', fps: 60, bitrate: { kind: 'recommended' }, codec: 'h264', audioChannels: 2, tvAudioPath: 'emss-pcm' });
  assert.deepEqual(browser.codecs, ['h264']);
  assert.deepEqual(browser.frameRates, [30, 60, 120]);
});

test('a TV defaults to its panel: 4K on a UHD panel, 1080p otherwise, 1080p on Tizen 9 whatever the panel', () => {
  assert.equal(defaultSettings(uhdTv).resolution, '2160p');
  assert.equal(defaultSettings(uhdTv).codec, 'auto');
  const fullHd = tvProfile({ uhdPanel: false, platformMajor: 6 });
  assert.equal(defaultSettings(fullHd).resolution, '1080p');
  assert.deepEqual(fullHd.resolutions, ['720p', '1080p']);
  assert.equal(defaultSettings(tvProfile({ uhdPanel: true, platformMajor: 9 })).resolution, '1080p');
  // A panel the TV would not describe keeps every choice.
  assert.deepEqual(tvProfile({ uhdPanel: null, platformMajor: null }).resolutions, ['720p', '1080p', '1440p', '2160p']);
});

test('TVs are not offered 120 fps', () => {
  assert.deepEqual(uhdTv.frameRates, [30, 60]);
});

test('the recommended bitrate grows with resolution and frame rate', () => {
  assert.equal(recommendedBitrateMbps('720p', 60), 10);
  assert.equal(recommendedBitrateMbps('1080p', 60), 20);
  assert.equal(recommendedBitrateMbps('1080p', 30), 10);
  assert.equal(recommendedBitrateMbps('2160p', 60), 80);
  assert.equal(recommendedBitrateMbps('2160p', 120), 120);
});

test('the bitrate stepper moves between its stops and stops at its ends', () => {
  assert.equal(stepBitrateMbps(20, 1), 25);
  assert.equal(stepBitrateMbps(20, -1), 15);
  assert.equal(stepBitrateMbps(21, -1), 20);
  assert.equal(stepBitrateMbps(21, 1), 25);
  assert.equal(stepBitrateMbps(1, -1), 1);
  assert.equal(stepBitrateMbps(MAX_BITRATE_MBPS, 1), MAX_BITRATE_MBPS);
});

test('a bitrate equal to the recommendation follows resolution again', () => {
  const settings = defaultSettings(browser);
  assert.deepEqual(chooseBitrate(settings, 20), { kind: 'recommended' });
  assert.deepEqual(chooseBitrate(settings, 25), { kind: 'custom', mbps: 25 });
  assert.deepEqual(chooseBitrate(settings, 9999), { kind: 'custom', mbps: MAX_BITRATE_MBPS });
});

test('stream settings carry size, rate, bitrate, codecs and channels', () => {
  const settings: UserSettings = { resolution: '2160p', fps: 60, bitrate: { kind: 'custom', mbps: 50 }, codec: 'auto', audioChannels: 6, tvAudioPath: 'web-audio' };
  const stream = toStreamSettings(settings, uhdTv);
  assert.equal(stream.width, 3840);
  assert.equal(stream.height, 2160);
  assert.equal(stream.fps, 60);
  assert.equal(stream.bitrateKbps, 50_000);
  assert.equal(stream.videoFormats, VideoFormat.H264 | VideoFormat.H265);
  assert.equal(stream.audioChannels, 6);
  assert.equal(toStreamSettings({ ...settings, codec: 'h265' }, uhdTv).videoFormats, VideoFormat.H265);
  assert.equal(toStreamSettings({ ...settings, codec: 'h264' }, uhdTv).videoFormats, VideoFormat.H264);
  // A browser asks for H.264 whatever was chosen elsewhere.
  assert.equal(toStreamSettings({ ...settings, codec: 'h265' }, browser).videoFormats, VideoFormat.H264);
});

test('choices the device does not offer become the nearest it does', () => {
  const fullHd = tvProfile({ uhdPanel: false, platformMajor: 6 });
  const fitted = fitToProfile({ resolution: '2160p', fps: 120, bitrate: { kind: 'recommended' }, codec: 'h265', audioChannels: 8, tvAudioPath: 'emss-pcm' }, fullHd);
  assert.equal(fitted.resolution, '1080p');
  assert.equal(fitted.fps, 60);
  assert.equal(fitted.codec, 'h265');
  assert.equal(fitToProfile(fitted, browser).codec, 'h264');
});

test('settings survive a round trip through their stored form', () => {
  const settings: UserSettings = { resolution: '1440p', fps: 120, bitrate: { kind: 'custom', mbps: 35 }, codec: 'h264', audioChannels: 8, tvAudioPath: 'web-audio' };
  assert.deepEqual(parseStoredSettings(serializeSettings(settings), browser), { settings, problems: [] });
  const recommended = { ...settings, bitrate: { kind: 'recommended' } as const };
  assert.deepEqual(parseStoredSettings(serializeSettings(recommended), browser).settings, recommended);
});

test('nothing stored gives the defaults without a problem', () => {
  assert.deepEqual(parseStoredSettings(null, browser), { settings: defaultSettings(browser), problems: [] });
});

test('a stored copy that is not JSON, or not an object, gives the defaults and says so', () => {
  for (const text of ['{"fps": 6', 'null', '[1,2]', '"60"', '']) {
    const loaded = parseStoredSettings(text, browser);
    assert.deepEqual(loaded.settings, defaultSettings(browser), text);
    assert.equal(loaded.problems.length, 1, text);
    assert.equal(loaded.problems[0]?.kind, 'unreadable', text);
  }
});

test('a bad field falls back to its default alone, and is named', () => {
  const loaded = parseStoredSettings(JSON.stringify({ version: 1, resolution: '8K', fps: '60', bitrateMbps: 'fast', codec: 'h264', audioChannels: 6 }), browser);
  assert.deepEqual(loaded.settings, { ...defaultSettings(browser), audioChannels: 6 });
  assert.deepEqual(loaded.problems, [{ kind: 'invalid-fields', fields: ['resolution', 'fps', 'bitrate'] }]);
});

test('an out-of-range bitrate is clamped and reported', () => {
  const high = parseStoredSettings(JSON.stringify({ version: 1, bitrateMbps: 900 }), browser);
  assert.deepEqual(high.settings.bitrate, { kind: 'custom', mbps: MAX_BITRATE_MBPS });
  assert.deepEqual(high.problems, [{ kind: 'bitrate-clamped', storedMbps: 900, mbps: MAX_BITRATE_MBPS }]);
  const low = parseStoredSettings(JSON.stringify({ version: 1, bitrateMbps: -5 }), browser);
  assert.deepEqual(low.settings.bitrate, { kind: 'custom', mbps: 1 });
  assert.equal(low.problems[0]?.kind, 'bitrate-clamped');
});

test('an older copy without the newer fields takes their defaults silently', () => {
  // No version, no codec, no TV audio path: what a first release might have written.
  const loaded = parseStoredSettings(JSON.stringify({ resolution: '720p', fps: 30 }), uhdTv);
  assert.deepEqual(loaded.settings, { ...defaultSettings(uhdTv), resolution: '720p', fps: 30 });
  assert.deepEqual(loaded.problems, []);
});

test('a stored choice this device does not offer is fitted without being called corrupt', () => {
  const loaded = parseStoredSettings(JSON.stringify({ version: 1, fps: 120, codec: 'h265' }), uhdTv);
  assert.equal(loaded.settings.fps, 60);
  assert.equal(loaded.settings.codec, 'h265');
  assert.deepEqual(loaded.problems, []);
  assert.equal(parseStoredSettings(JSON.stringify({ version: 1, codec: 'h265' }), browser).settings.codec, 'h264');
});
