// The ANNOUNCE body (control-plane.md §6.4): an SDP whose `a=` lines tell the host how to
// encode. Layout and attribute order are those of the reference client, which Sunshine's
// parser and the real captures fix byte for byte: CRLF line ends, every `a=` line ending in a
// space (Sunshine drops exactly one trailing character), two spaces after the video port.
// Only hosts from 7.1.431 on (GFE 3.22+, every Sunshine) are described here.

export interface AnnounceValues {
  /** Sunshine (4th appversion field < 0) also reads the x-ml-* / x-ss-* attributes. */
  sunshine: boolean;
  /** The RTSP client version written in `o=` (14 for hosts of generation 7). */
  rtspClientVersion: number;
  /** The host's address as the client reaches it; IPv6 without brackets. */
  hostAddress: string;
  clientFeatureFlags: number;
  encryptionEnabled: number;
  yuv444: boolean;
  width: number;
  height: number;
  fps: number;
  packetSizeBytes: number;
  announcedBitrateKbps: number;
  configuredBitrateKbps: number;
  remote: boolean;
  nvFeatureFlags: number;
  controlProtocol: number;
  minRequiredFecPackets: number;
  slicesPerFrame: number;
  codec: 'h264' | 'hevc' | 'av1';
  tenBit: boolean;
  referenceFrameInvalidation: boolean;
  displayRefreshRateX100: number;
  audioChannels: number;
  audioChannelMask: number;
  highQualitySurround: boolean;
  audioPacketDurationMs: number;
  encoderCscMode: number;
  videoPort: number;
}

export function buildAnnounceSdp(v: AnnounceValues): string {
  const ipv6 = v.hostAddress.includes(':');
  const lines = [
    'v=0',
    `o=android 0 ${v.rtspClientVersion} IN ${ipv6 ? 'IPv6' : 'IPv4'} ${ipv6 ? `[${v.hostAddress}]` : v.hostAddress}`,
    's=NVIDIA Streaming Client',
    ...announceAttributes(v).map(([name, value]) => `a=${name}:${value} `),
    't=0 0',
    `m=video ${v.videoPort}  `,
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The `a=` attributes as [name, value], in the order they are sent. */
export function announceAttributes(v: AnnounceValues): Array<[string, string]> {
  const n = (x: number | boolean): string => (typeof x === 'boolean' ? (x ? '1' : '0') : String(x));
  const attrs: Array<[string, string]> = [];
  if (v.sunshine) {
    attrs.push(['x-ml-general.featureFlags', n(v.clientFeatureFlags)], ['x-ss-general.encryptionEnabled', n(v.encryptionEnabled)], ['x-ss-video[0].chromaSamplingType', n(v.yuv444)]);
  }
  attrs.push(
    ['x-nv-video[0].clientViewportWd', n(v.width)],
    ['x-nv-video[0].clientViewportHt', n(v.height)],
    ['x-nv-video[0].maxFPS', n(v.fps)],
    ['x-nv-video[0].packetSize', n(v.packetSizeBytes)],
    ['x-nv-video[0].rateControlMode', n(RATE_CONTROL_MODE)],
    ['x-nv-video[0].timeoutLengthMs', n(TIMEOUT_LENGTH_MS)],
    ['x-nv-video[0].framesWithInvalidRefThreshold', '0'],
    ['x-nv-video[0].initialBitrateKbps', n(v.announcedBitrateKbps)],
    ['x-nv-video[0].initialPeakBitrateKbps', n(v.announcedBitrateKbps)],
    ['x-nv-vqos[0].bw.minimumBitrateKbps', n(v.announcedBitrateKbps)],
    ['x-nv-vqos[0].bw.maximumBitrateKbps', n(v.announcedBitrateKbps)],
  );
  if (v.sunshine) attrs.push(['x-ml-video.configuredBitrateKbps', n(v.configuredBitrateKbps)]);
  attrs.push(
    ['x-nv-vqos[0].fec.enable', '1'],
    ['x-nv-vqos[0].videoQualityScoreUpdateTime', n(QUALITY_SCORE_UPDATE_MS)],
    ['x-nv-vqos[0].qosTrafficType', n(v.remote ? 0 : VIDEO_QOS_TRAFFIC_TYPE)],
    ['x-nv-aqos.qosTrafficType', n(v.remote ? 0 : AUDIO_QOS_TRAFFIC_TYPE)],
    ['x-nv-general.featureFlags', n(v.nvFeatureFlags)],
    ['x-nv-general.useReliableUdp', n(v.controlProtocol)],
    ['x-nv-vqos[0].fec.minRequiredFecPackets', n(v.minRequiredFecPackets)],
    ['x-nv-vqos[0].bllFec.enable', '0'],
    ['x-nv-vqos[0].drc.enable', '0'],
    ['x-nv-general.enableRecoveryMode', '0'],
    ['x-nv-video[0].videoEncoderSlicesPerFrame', n(v.slicesPerFrame)],
  );
  if (v.codec !== 'av1') attrs.push(['x-nv-clientSupportHevc', n(v.codec === 'hevc')]);
  attrs.push(
    ['x-nv-vqos[0].bitStreamFormat', n(BIT_STREAM_FORMAT[v.codec])],
    ['x-nv-video[0].dynamicRangeMode', n(v.tenBit)],
    // 0 = no limit: the decoder copes with invalidated references; 1 = one reference frame.
    ['x-nv-video[0].maxNumReferenceFrames', n(v.referenceFrameInvalidation ? 0 : 1)],
    ['x-nv-video[0].clientRefreshRateX100', n(v.displayRefreshRateX100)],
    ['x-nv-audio.surround.numChannels', n(v.audioChannels)],
    ['x-nv-audio.surround.channelMask', n(v.audioChannelMask)],
    ['x-nv-audio.surround.enable', n(v.audioChannels > 2)],
    ['x-nv-audio.surround.AudioQuality', n(v.highQualitySurround)],
    ['x-nv-aqos.packetDuration', n(v.audioPacketDurationMs)],
    ['x-nv-video[0].encoderCscMode', n(v.encoderCscMode)],
  );
  return attrs;
}

// GFE-era constants that Sunshine ignores but the reference client always sends (§6.4).
const RATE_CONTROL_MODE = 4;
const TIMEOUT_LENGTH_MS = 7000;
const QUALITY_SCORE_UPDATE_MS = 5000;
// DSCP classes the host tags local traffic with (§6.4); 0 turns tagging off for remote.
const VIDEO_QOS_TRAFFIC_TYPE = 5;
const AUDIO_QOS_TRAFFIC_TYPE = 4;
const BIT_STREAM_FORMAT: Readonly<Record<AnnounceValues['codec'], number>> = { h264: 0, hevc: 1, av1: 2 };
