import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEmssFeatures, readTizenCapabilities, recommendedLatency, type TizenCapabilities } from '../../../../src/platform/tizen/tizen-capabilities.ts';
import { emssChannelLayout, emssMimeType } from '../../../../src/platform/tizen/emss-codecs.ts';
import { createFakeEmss } from '../../../fakes/tizen/emss.fake.ts';

const tv = {
  tizen: { systeminfo: { getCapability: (key: string) => (key === 'http://tizen.org/feature/platform.version' ? '6.0' : null) } },
  webapis: { productinfo: { isUdPanelSupported: () => true }, avinfo: { isHdrTvSupport: () => false } },
};

test('a TV answers version, 4K panel, HDR and EMSS features', () => {
  const caps = readTizenCapabilities({ ...tv, tizentvwasm: createFakeEmss().mainGlobal });
  assert.deepEqual(caps.platformVersion, { major: 6, minor: 0 });
  assert.equal(caps.uhdPanel, true);
  assert.equal(caps.hdr, false);
  assert.equal(caps.emss?.ultraLowLatency, true);
  assert.equal(caps.emss?.constructWithModes, true);
});

test('a desktop browser answers null everywhere, and a query that throws is null too', () => {
  assert.deepEqual(readTizenCapabilities({}), { platformVersion: null, uhdPanel: null, hdr: null, emss: null });
  const refusing = { webapis: { productinfo: { isUdPanelSupported: () => { throw new Error('SecurityError'); } } } };
  assert.equal(readTizenCapabilities(refusing).uhdPanel, null);
});

test('EMSS features: records, derived features and the assumptions for old firmware (tizen.md 1.2)', () => {
  const Source = function ElementaryMediaStreamSource(): void {};
  const WithSession = function ElementaryMediaTrack(): void {};
  Object.defineProperty(WithSession.prototype, 'sessionId', { get: () => 1 });
  const cases = [
    { name: 'full record', global: createFakeEmss().mainGlobal, levels: [0, 1, 2, 3, 5], ull: true, sessions: true },
    { name: 'record without features', global: { ElementaryMediaStreamSource: Source, availableApis: [{ name: 'ElementaryMediaStreamSource', apiLevels: [1, 2, 3] }] }, levels: [1, 2, 3], ull: false, sessions: true },
    { name: 'no record, tracks with session ids', global: { ElementaryMediaStreamSource: Source, ElementaryMediaTrack: WithSession }, levels: [1], ull: false, sessions: true },
    { name: 'no record, legacy', global: { ElementaryMediaStreamSource: Source }, levels: [0], ull: false, sessions: false },
  ];
  for (const c of cases) {
    const f = detectEmssFeatures(c.global);
    assert.ok(f !== null, c.name);
    assert.deepEqual(f.apiLevels, c.levels, c.name);
    assert.equal(f.ultraLowLatency, c.ull, c.name);
    assert.equal(f.sessionIds, c.sessions, c.name);
  }
  assert.equal(detectEmssFeatures({}), null);
});

test('ultra-low latency is recommended except for HEVC on Tizen 9 and without the feature', () => {
  const base: TizenCapabilities = { platformVersion: { major: 6, minor: 0 }, uhdPanel: true, hdr: true, emss: detectEmssFeatures(createFakeEmss().mainGlobal) };
  assert.equal(recommendedLatency(base, 'h265'), 'ultra-low');
  assert.equal(recommendedLatency({ ...base, platformVersion: { major: 9, minor: 0 } }, 'h265'), 'low');
  assert.equal(recommendedLatency({ ...base, platformVersion: { major: 9, minor: 0 } }, 'h264'), 'ultra-low');
  assert.equal(recommendedLatency({ ...base, emss: detectEmssFeatures(createFakeEmss({ features: ['base-emss'] }).mainGlobal) }, 'h264'), 'low');
});

test('EMSS mime types follow the stream rate, and HDR picks Main10', () => {
  const cases = [
    { format: { codec: 'h264', width: 1280, height: 720, fps: 60, hdr: false }, mime: 'avc1.64002A' },
    { format: { codec: 'h264', width: 1920, height: 1080, fps: 120, hdr: false }, mime: 'avc1.640033' },
    { format: { codec: 'h264', width: 3840, height: 2160, fps: 60, hdr: false }, mime: 'avc1.640034' },
    { format: { codec: 'h265', width: 3840, height: 2160, fps: 60, hdr: false }, mime: 'hev1.1.6.L153.B0' },
    { format: { codec: 'h265', width: 3840, height: 2160, fps: 120, hdr: true }, mime: 'hev1.2.4.L156.B0' },
  ] as const;
  for (const c of cases) assert.equal(emssMimeType(c.format), `video/mp4; codecs="${c.mime}"`);
  assert.deepEqual([2, 6, 8, 4].map(emssChannelLayout), ['ChannelLayoutStereo', 'ChannelLayout5_1', 'ChannelLayout7_1', null]);
});
