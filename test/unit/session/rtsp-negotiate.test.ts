// The client's choices between DESCRIBE and ANNOUNCE (src/session/rtsp-negotiate.ts), as
// tables: host dialect, codec and profile, encryption, bitrate and packet size, audio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseVideoFormat, hostDialect, negotiate, type HostVersion, type Negotiated } from '../../../src/session/rtsp-negotiate.ts';
import type { DescribeOffer } from '../../../src/session/sdp-describe.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamSettings } from '../../../src/session/stream-config.ts';

const SUNSHINE: HostVersion = { appVersion: '7.1.431.-1', codecModeSupport: 0x101 };
const OFFER: DescribeOffer = {
  hostFeatureFlags: 2,
  encryptionSupported: 5,
  encryptionRequested: 1,
  referenceFrameInvalidation: false,
  hevc: true,
  av1: false,
  surroundParams: ['21101', '21101', '642012453', '660012345', '85301245367', '88001234567'],
};

function run(settings: Partial<StreamSettings>, offer: Partial<DescribeOffer> = {}, host: HostVersion = SUNSHINE, address = '192.168.1.20'): Negotiated {
  const dialect = hostDialect(host);
  assert.ok(dialect.ok);
  const r = negotiate(dialect.value, host, { ...OFFER, ...offer }, { ...DEFAULT_STREAM_SETTINGS, ...settings }, address);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

test('host dialects: Sunshine by its negative fourth field, GFE from 7.1.431 on, older refused', () => {
  const cases: Array<[string, string | null]> = [
    ['7.1.431.-1', 'sunshine'],
    ['7.1.431.0', 'gfe'],
    ['7.1.446.0', 'gfe'],
    ['7.1.415.0', null],
    ['5.0.0.0', null],
    ['garbage', null],
  ];
  for (const [appVersion, family] of cases) {
    const d = hostDialect({ appVersion, codecModeSupport: 1 });
    assert.deepEqual(d.ok ? d.value.family : null, family, appVersion);
    if (!d.ok) assert.deepEqual(d.error, { kind: 'unsupported-host', appVersion });
  }
});

test('codec preference AV1 > HEVC > H.264, each needing the host\'s line, the host\'s bit and the client\'s', () => {
  const all = 0xffff;
  const cases: Array<{ name: string; offer: Partial<DescribeOffer>; scm: number; client: number; expected: [string, number] | null }> = [
    { name: 'HEVC line and bit, client HEVC', offer: {}, scm: 0x101, client: VideoFormat.H264 | VideoFormat.H265, expected: ['hevc', VideoFormat.H265] },
    { name: 'client H.264 only', offer: {}, scm: 0x101, client: VideoFormat.H264, expected: ['h264', VideoFormat.H264] },
    { name: 'no HEVC line', offer: { hevc: false }, scm: 0x101, client: all, expected: ['h264', VideoFormat.H264] },
    { name: 'HEVC line, no HEVC bit', offer: {}, scm: 0x1, client: VideoFormat.H264 | VideoFormat.H265, expected: ['h264', VideoFormat.H264] },
    { name: 'Main10 before Main', offer: {}, scm: 0x301, client: VideoFormat.H265 | VideoFormat.H265_MAIN10, expected: ['hevc', VideoFormat.H265_MAIN10] },
    { name: '4:4:4 10-bit first', offer: {}, scm: 0x180301, client: all, expected: ['hevc', VideoFormat.H265_REXT10_444] },
    { name: 'AV1 line and bit', offer: { av1: true }, scm: 0x10101, client: all, expected: ['av1', VideoFormat.AV1_MAIN8] },
    { name: 'AV1 bit without its line', offer: { av1: false }, scm: 0x10101, client: all, expected: ['hevc', VideoFormat.H265] },
    { name: 'H.264 4:4:4', offer: { hevc: false }, scm: 0x40001, client: VideoFormat.H264 | VideoFormat.H264_HIGH8_444, expected: ['h264', VideoFormat.H264_HIGH8_444] },
    { name: 'client offers nothing the host has', offer: {}, scm: 0x101, client: VideoFormat.AV1_MAIN8, expected: null },
  ];
  for (const c of cases) {
    const chosen = chooseVideoFormat({ ...OFFER, ...c.offer }, c.scm, c.client);
    assert.deepEqual(chosen === null ? null : [chosen.codec, chosen.format], c.expected, c.name);
  }
});

test('encryption: control whenever offered; video and audio when requested, or offered and wanted', () => {
  const cases: Array<[Partial<DescribeOffer>, Partial<StreamSettings>, number]> = [
    [{ encryptionSupported: 5, encryptionRequested: 1 }, { encryptVideo: true, encryptAudio: true }, 5],
    [{ encryptionSupported: 7, encryptionRequested: 1 }, { encryptVideo: true, encryptAudio: true }, 7],
    [{ encryptionSupported: 7, encryptionRequested: 1 }, { encryptVideo: false, encryptAudio: false }, 1],
    [{ encryptionSupported: 7, encryptionRequested: 7 }, { encryptVideo: false, encryptAudio: false }, 7],
    [{ encryptionSupported: 0, encryptionRequested: 0 }, { encryptVideo: true, encryptAudio: true }, 0],
  ];
  for (const [offer, settings, expected] of cases) assert.equal(run(settings, offer).encryptionEnabled, expected, JSON.stringify([offer, settings]));
  const audioOnly = run({ encryptVideo: false }, { encryptionSupported: 7 });
  assert.equal(audioOnly.nvFeatureFlags, 0xa7);
  assert.equal(run({ encryptAudio: false, encryptVideo: false }).nvFeatureFlags, 0x87);
});

test('bitrate: 80 %, less 500 kbit/s when remote, at most 100 Mbit/s', () => {
  assert.equal(run({ bitrateKbps: 3000 }).announcedBitrateKbps, 2400);
  assert.equal(run({ bitrateKbps: 2000, network: 'remote' }).announcedBitrateKbps, 1100);
  assert.equal(run({ bitrateKbps: 600, network: 'remote' }).announcedBitrateKbps, 480);
  assert.equal(run({ bitrateKbps: 150_000 }).announcedBitrateKbps, 100_000);
});

test('packet size: a multiple of 16, capped on remote paths, 32 less with encrypted video', () => {
  assert.equal(run({ packetSizeBytes: 1400, encryptVideo: false }).packetSizeBytes, 1392);
  assert.equal(run({ packetSizeBytes: 1392 }, { encryptionSupported: 7 }).packetSizeBytes, 1360);
  assert.equal(run({ packetSizeBytes: 1392, network: 'remote', encryptVideo: false }).packetSizeBytes, 1024);
  assert.equal(run({ packetSizeBytes: 1392, network: 'remote', encryptVideo: false }, {}, SUNSHINE, 'fd00::20').packetSizeBytes, 1184);
});

test('audio: high-quality surround needs the bitrate, a fast decoder and the host\'s second line', () => {
  const normal = run({ audioChannels: 6, bitrateKbps: 10_000 });
  assert.deepEqual(normal.audio, { channels: 6, channelMask: 0x3f, streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5], packetDurationMs: 5, highQuality: false });
  const high = run({ audioChannels: 8, bitrateKbps: 20_000 });
  assert.deepEqual(high.audio, { channels: 8, channelMask: 0x63f, streams: 8, coupledStreams: 0, mapping: [0, 1, 2, 3, 4, 5, 6, 7], packetDurationMs: 5, highQuality: true });
  assert.equal(run({ audioChannels: 8, bitrateKbps: 20_000, slowOpusDecoder: true }).audio.highQuality, false);
  assert.equal(run({ audioChannels: 8, bitrateKbps: 20_000 }, { surroundParams: ['85301245367'] }).audio.highQuality, false);
});

test('audio: 10 ms packets for a slow decoder, or a flexible one below 5 Mbit/s', () => {
  assert.equal(run({ bitrateKbps: 3000 }).audio.packetDurationMs, 5);
  assert.equal(run({ bitrateKbps: 3000, slowOpusDecoder: true }).audio.packetDurationMs, 10);
  assert.equal(run({ bitrateKbps: 3000, arbitraryAudioDuration: true }).audio.packetDurationMs, 10);
  assert.equal(run({ bitrateKbps: 6000, arbitraryAudioDuration: true }).audio.packetDurationMs, 5);
});

test('stereo quality follows the Host header rule: local or stereo, fast decoder, at least 15 Mbit/s', () => {
  assert.equal(run({ bitrateKbps: 20_000 }).audio.highQuality, true);
  assert.equal(run({ bitrateKbps: 10_000 }).audio.highQuality, false);
  assert.equal(run({ bitrateKbps: 20_000, slowOpusDecoder: true }).audio.highQuality, false);
});

test('a 7.1 request the host has no layout for fails with no-audio-layout', () => {
  const dialect = hostDialect(SUNSHINE);
  assert.ok(dialect.ok);
  const r = negotiate(dialect.value, SUNSHINE, { ...OFFER, surroundParams: [] }, { ...DEFAULT_STREAM_SETTINGS, audioChannels: 8 }, '10.0.0.2');
  assert.ok(!r.ok && r.error.kind === 'no-audio-layout');
});

test('RFI only when both ends can, colour space and range in the CSC mode, height made even', () => {
  assert.equal(run({ referenceFrameInvalidation: true }).referenceFrameInvalidation, false);
  assert.equal(run({ referenceFrameInvalidation: true }, { referenceFrameInvalidation: true }).referenceFrameInvalidation, true);
  assert.equal(run({ colorSpace: 'rec709', colorRange: 'full' }).encoderCscMode, 3);
  assert.equal(run({ colorSpace: 'rec2020', colorRange: 'limited' }).encoderCscMode, 4);
  assert.equal(run({ height: 1081 }).height, 1080);
});
