// The ANNOUNCE SDP (src/session/sdp-announce.ts). Its Sunshine form is checked byte for byte
// against the real captures in rtsp-capture.test.ts; here, the variations those sessions do
// not show: GFE, AV1, IPv6, remote, surround.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announceAttributes, buildAnnounceSdp, type AnnounceValues } from '../../../src/session/sdp-announce.ts';

const BASE: AnnounceValues = {
  sunshine: true,
  rtspClientVersion: 14,
  hostAddress: '127.0.0.1',
  clientFeatureFlags: 3,
  encryptionEnabled: 5,
  yuv444: false,
  width: 1280,
  height: 720,
  fps: 60,
  packetSizeBytes: 1392,
  announcedBitrateKbps: 2400,
  configuredBitrateKbps: 3000,
  remote: false,
  nvFeatureFlags: 167,
  controlProtocol: 13,
  minRequiredFecPackets: 2,
  slicesPerFrame: 1,
  codec: 'h264',
  tenBit: false,
  referenceFrameInvalidation: false,
  displayRefreshRateX100: 0,
  audioChannels: 2,
  audioChannelMask: 3,
  highQualitySurround: false,
  audioPacketDurationMs: 5,
  encoderCscMode: 0,
  videoPort: 47998,
};

const names = (v: AnnounceValues): string[] => announceAttributes(v).map(([n]) => n);
const value = (v: AnnounceValues, name: string): string | undefined => announceAttributes(v).find(([n]) => n === name)?.[1];

test('the layout: v, o, s, the a= lines each ending in a space, t, and m with two spaces, all CRLF', () => {
  const sdp = buildAnnounceSdp(BASE);
  const lines = sdp.split('\r\n');
  assert.equal(lines[0], 'v=0');
  assert.equal(lines[1], 'o=android 0 14 IN IPv4 127.0.0.1');
  assert.equal(lines[2], 's=NVIDIA Streaming Client');
  assert.equal(lines[3], 'a=x-ml-general.featureFlags:3 ');
  assert.equal(lines.at(-3), 't=0 0');
  assert.equal(lines.at(-2), 'm=video 47998  ');
  assert.equal(lines.at(-1), '');
  assert.equal(lines.filter((l) => l.startsWith('a=')).length, 37);
  assert.ok(!sdp.includes('\n\n') && sdp.split('\n').every((l) => l === '' || l.endsWith('\r')));
});

test('a GFE host gets no x-ml-* or x-ss-* attribute', () => {
  const gfe = names({ ...BASE, sunshine: false });
  assert.equal(gfe.filter((n) => n.startsWith('x-ml-') || n.startsWith('x-ss-')).length, 0);
  assert.equal(gfe.length, 33);
});

test('AV1 drops x-nv-clientSupportHevc and announces bit stream format 2; HEVC says 1 twice', () => {
  assert.equal(value({ ...BASE, codec: 'av1' }, 'x-nv-clientSupportHevc'), undefined);
  assert.equal(value({ ...BASE, codec: 'av1' }, 'x-nv-vqos[0].bitStreamFormat'), '2');
  assert.equal(value({ ...BASE, codec: 'hevc' }, 'x-nv-clientSupportHevc'), '1');
  assert.equal(value({ ...BASE, codec: 'hevc' }, 'x-nv-vqos[0].bitStreamFormat'), '1');
});

test('an IPv6 host is written in brackets with IN IPv6', () => {
  assert.ok(buildAnnounceSdp({ ...BASE, hostAddress: 'fd00::20' }).includes('\r\no=android 0 14 IN IPv6 [fd00::20]\r\n'));
});

test('remote streams switch QoS tagging off; surround, HDR, 4:4:4 and RFI show in their attributes', () => {
  const v: AnnounceValues = { ...BASE, remote: true, audioChannels: 8, audioChannelMask: 0x63f, highQualitySurround: true, tenBit: true, yuv444: true, referenceFrameInvalidation: true };
  assert.equal(value(v, 'x-nv-vqos[0].qosTrafficType'), '0');
  assert.equal(value(v, 'x-nv-aqos.qosTrafficType'), '0');
  assert.equal(value(BASE, 'x-nv-vqos[0].qosTrafficType'), '5');
  assert.equal(value(BASE, 'x-nv-aqos.qosTrafficType'), '4');
  assert.equal(value(v, 'x-nv-audio.surround.numChannels'), '8');
  assert.equal(value(v, 'x-nv-audio.surround.channelMask'), '1599');
  assert.equal(value(v, 'x-nv-audio.surround.enable'), '1');
  assert.equal(value(v, 'x-nv-audio.surround.AudioQuality'), '1');
  assert.equal(value(v, 'x-nv-video[0].dynamicRangeMode'), '1');
  assert.equal(value(v, 'x-ss-video[0].chromaSamplingType'), '1');
  assert.equal(value(v, 'x-nv-video[0].maxNumReferenceFrames'), '0');
});
