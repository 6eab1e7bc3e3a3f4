// The decisions the client takes between DESCRIBE and ANNOUNCE (control-plane.md §6.2, §6.4,
// §6.6): codec and profile, which streams are encrypted, audio layout and quality, bitrate and
// packet size. A pure function of what the client wants and what the host offered, so the
// real captures can check it value by value.

import { err, ok, type Result } from '../lib/result.ts';
import { CHANNEL_MASKS } from './launch.ts';
import type { StreamStartError } from './rtsp-error.ts';
import { hasHighQualityLayout, opusLayoutFor, type DescribeOffer, type HostFamily } from './sdp-describe.ts';
import { EncryptionFlag, VideoFormat, type AudioLayout, type StreamSettings, type VideoCodec } from './stream-config.ts';

/** What the host is, from /serverinfo (§7.1). */
export interface HostVersion {
  appVersion: string;
  /** ServerCodecModeSupport. */
  codecModeSupport: number;
}

export interface Negotiated {
  family: HostFamily;
  rtspClientVersion: number;
  codec: VideoCodec;
  format: number;
  tenBit: boolean;
  yuv444: boolean;
  width: number;
  height: number;
  packetSizeBytes: number;
  announcedBitrateKbps: number;
  encryptionEnabled: number;
  encryptControl: boolean;
  encryptVideo: boolean;
  encryptAudio: boolean;
  nvFeatureFlags: number;
  referenceFrameInvalidation: boolean;
  encoderCscMode: number;
  audio: AudioLayout;
}

/** The parts of the handshake decided before DESCRIBE: the host's dialect. */
export interface HostDialect {
  family: HostFamily;
  rtspClientVersion: number;
}

/** Sunshine and GFE from 7.1.431 on (GFE 3.22+); older dialects are not implemented (§7.2). */
export function hostDialect(version: HostVersion): Result<HostDialect, StreamStartError> {
  const quad = parseVersionQuad(version.appVersion);
  if (quad === null || compareTriple(quad, MIN_VERSION) < 0) return err({ kind: 'unsupported-host', appVersion: version.appVersion });
  // Sunshine marks itself with a negative 4th field (§7.1).
  return ok({ family: (quad[3] ?? 0) < 0 ? 'sunshine' : 'gfe', rtspClientVersion: RTSP_CLIENT_VERSION_GEN7 });
}

/**
 * Whether the host picks its high-quality audio: Sunshine (like GFE) decides stereo quality
 * by the `Host` header, and MLC only names the real host when the bitrate is high, the decoder
 * fast, and the stream local or stereo (§6.2).
 */
export function wantsHighQualityAudio(settings: StreamSettings): boolean {
  return settings.bitrateKbps >= HIGH_QUALITY_AUDIO_MIN_KBPS && !settings.slowOpusDecoder && (settings.network === 'local' || settings.audioChannels === 2);
}

export function negotiate(dialect: HostDialect, host: HostVersion, offer: DescribeOffer, settings: StreamSettings, hostAddress: string): Result<Negotiated, StreamStartError> {
  const video = chooseVideoFormat(offer, host.codecModeSupport, settings.videoFormats);
  if (video === null) return err({ kind: 'no-common-codec', detail: `client formats 0x${settings.videoFormats.toString(16)}, host modes 0x${host.codecModeSupport.toString(16)}` });
  const audio = chooseAudio(offer, settings, dialect.family);
  if (!audio.ok) return audio;

  const sunshine = dialect.family === 'sunshine';
  const enabled = sunshine ? encryptionEnabled(offer, settings) : 0;
  const encryptVideo = (enabled & EncryptionFlag.VIDEO) !== 0;
  // GFE has no SS_ENC negotiation: its audio encryption is the NV feature bit alone.
  const encryptAudio = sunshine ? (enabled & EncryptionFlag.AUDIO) !== 0 : settings.encryptAudio;
  return ok({
    family: dialect.family,
    rtspClientVersion: dialect.rtspClientVersion,
    codec: video.codec,
    format: video.format,
    tenBit: (video.format & TEN_BIT_FORMATS) !== 0,
    yuv444: (video.format & YUV444_FORMATS) !== 0,
    width: settings.width,
    // Encoders work on whole chroma rows; MLC sends an even height.
    height: settings.height - (settings.height % 2),
    packetSizeBytes: packetSize(settings, hostAddress, encryptVideo),
    announcedBitrateKbps: announcedBitrate(settings),
    encryptionEnabled: enabled,
    encryptControl: sunshine ? (enabled & EncryptionFlag.CONTROL_V2) !== 0 : true,
    encryptVideo,
    encryptAudio,
    nvFeatureFlags: NV_FEATURE_BASE | NV_FEATURE_INPUT_ENCRYPTION | (encryptAudio ? NV_FEATURE_AUDIO_ENCRYPTION : 0),
    referenceFrameInvalidation: settings.referenceFrameInvalidation && offer.referenceFrameInvalidation,
    encoderCscMode: (COLOR_SPACES[settings.colorSpace] << 1) | (settings.colorRange === 'full' ? 1 : 0),
    audio: audio.value,
  });
}

/** Codec by preference AV1, HEVC, H.264; within it, the first profile both ends can do (§6.6). */
export function chooseVideoFormat(offer: DescribeOffer, codecModeSupport: number, clientFormats: number): { codec: VideoCodec; format: number } | null {
  const pick = (profiles: ReadonlyArray<readonly [number, number]>): number | null => {
    const found = profiles.find(([format, scm]) => (clientFormats & format) !== 0 && (codecModeSupport & scm) !== 0);
    return found === undefined ? null : found[0];
  };
  if (offer.av1 && (clientFormats & AV1_FORMATS) !== 0) {
    const format = pick(AV1_PROFILES);
    if (format !== null) return { codec: 'av1', format };
  }
  if (offer.hevc && (clientFormats & HEVC_FORMATS) !== 0) {
    const format = pick(HEVC_PROFILES);
    if (format !== null) return { codec: 'hevc', format };
  }
  const h264 = pick(H264_PROFILES);
  if (h264 !== null) return { codec: 'h264', format: h264 };
  // Every host can send baseline H.264 (Sunshine always sets the bit; GFE predates it).
  return (clientFormats & VideoFormat.H264) !== 0 ? { codec: 'h264', format: VideoFormat.H264 } : null;
}

/** CONTROL_V2 whenever offered; video and audio when requested, or offered and wanted. */
function encryptionEnabled(offer: DescribeOffer, settings: StreamSettings): number {
  const wanted = (flag: number, optIn: boolean): number =>
    (offer.encryptionRequested & flag) !== 0 || ((offer.encryptionSupported & flag) !== 0 && optIn) ? flag : 0;
  return (
    (offer.encryptionSupported & EncryptionFlag.CONTROL_V2) |
    wanted(EncryptionFlag.VIDEO, settings.encryptVideo) |
    wanted(EncryptionFlag.AUDIO, settings.encryptAudio)
  );
}

function chooseAudio(offer: DescribeOffer, settings: StreamSettings, family: HostFamily): Result<AudioLayout, StreamStartError> {
  const channels = settings.audioChannels;
  const fastEnough = settings.bitrateKbps >= HIGH_QUALITY_AUDIO_MIN_KBPS && !settings.slowOpusDecoder;
  const highQualitySurround = channels > 2 && fastEnough && hasHighQualityLayout(offer, channels);
  const layout = opusLayoutFor(offer, channels, highQualitySurround, family);
  if (!layout.ok) return err({ kind: 'no-audio-layout', detail: layout.error.detail });
  let packetDurationMs: 5 | 10 = 5;
  if (!highQualitySurround && (settings.slowOpusDecoder || (settings.arbitraryAudioDuration && settings.bitrateKbps < LONG_AUDIO_PACKETS_BELOW_KBPS))) packetDurationMs = 10;
  return ok({
    channels,
    channelMask: CHANNEL_MASKS[channels],
    ...layout.value,
    packetDurationMs,
    highQuality: channels === 2 ? wantsHighQualityAudio(settings) : highQualitySurround,
  });
}

/** 80 % of the user's bitrate, less 500 kbit/s when remote, at most 100 Mbit/s (§6.4). */
function announcedBitrate(settings: StreamSettings): number {
  let kbps = Math.floor((settings.bitrateKbps * 80) / 100);
  if (settings.network === 'remote' && kbps > REMOTE_BITRATE_CUT_KBPS) kbps -= REMOTE_BITRATE_CUT_KBPS;
  return Math.min(kbps, MAX_ANNOUNCED_BITRATE_KBPS);
}

/** A multiple of 16, capped for remote paths, minus the video encryption prefix (§6.4). */
function packetSize(settings: StreamSettings, hostAddress: string, encryptVideo: boolean): number {
  let bytes = Math.floor(settings.packetSizeBytes / 16) * 16;
  if (settings.network === 'remote') bytes = Math.min(bytes, hostAddress.includes(':') ? REMOTE_IPV6_PACKET_BYTES : REMOTE_IPV4_PACKET_BYTES);
  return encryptVideo ? bytes - VIDEO_ENCRYPTION_PREFIX_BYTES : bytes;
}

/** `a.b.c.d`, missing parts 0 (§7.1); null when the first part is not a number. */
export function parseVersionQuad(text: string): number[] | null {
  const parts = text.trim().split('.');
  const quad = [0, 1, 2, 3].map((i) => {
    const m = /^-?\d{1,9}/.exec(parts[i] ?? '0');
    return m === null ? NaN : Number(m[0]);
  });
  if (Number.isNaN(quad[0])) return null;
  return quad.map((n) => (Number.isNaN(n) ? 0 : n));
}

function compareTriple(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// §7.2: 7.1.431 (GFE 3.22) is the first version with today's handshake, and Sunshine's.
const MIN_VERSION = [7, 1, 431];
// X-GS-ClientVersion and the SDP `o=` version for hosts of generation 7 (§6.2).
const RTSP_CLIENT_VERSION_GEN7 = 14;
// §6.2, §6.4: thresholds of the audio-quality rules.
const HIGH_QUALITY_AUDIO_MIN_KBPS = 15_000;
const LONG_AUDIO_PACKETS_BELOW_KBPS = 5_000;
const REMOTE_BITRATE_CUT_KBPS = 500;
const MAX_ANNOUNCED_BITRATE_KBPS = 100_000;
// §6.4: remote packet caps that keep datagrams under common tunnel MTUs.
const REMOTE_IPV4_PACKET_BYTES = 1024;
const REMOTE_IPV6_PACKET_BYTES = 1184;
// Encrypted video datagrams carry nonce + frame number + tag in front (captures README).
const VIDEO_ENCRYPTION_PREFIX_BYTES = 32;
// x-nv-general.featureFlags bits (§6.4).
const NV_FEATURE_BASE = 0x07;
const NV_FEATURE_AUDIO_ENCRYPTION = 0x20;
const NV_FEATURE_INPUT_ENCRYPTION = 0x80;
const COLOR_SPACES: Readonly<Record<StreamSettings['colorSpace'], number>> = { rec601: 0, rec709: 1, rec2020: 2 };

// ServerCodecModeSupport bits (§3.4) beside the client format each one allows.
const SCM = {
  H264: 0x00000001,
  HEVC: 0x00000100,
  HEVC_MAIN10: 0x00000200,
  AV1_MAIN8: 0x00010000,
  AV1_MAIN10: 0x00020000,
  H264_HIGH8_444: 0x00040000,
  HEVC_REXT8_444: 0x00080000,
  HEVC_REXT10_444: 0x00100000,
  AV1_HIGH8_444: 0x00200000,
  AV1_HIGH10_444: 0x00400000,
} as const;
const AV1_PROFILES: ReadonlyArray<readonly [number, number]> = [
  [VideoFormat.AV1_HIGH10_444, SCM.AV1_HIGH10_444],
  [VideoFormat.AV1_MAIN10, SCM.AV1_MAIN10],
  [VideoFormat.AV1_HIGH8_444, SCM.AV1_HIGH8_444],
  [VideoFormat.AV1_MAIN8, SCM.AV1_MAIN8],
];
const HEVC_PROFILES: ReadonlyArray<readonly [number, number]> = [
  [VideoFormat.H265_REXT10_444, SCM.HEVC_REXT10_444],
  [VideoFormat.H265_MAIN10, SCM.HEVC_MAIN10],
  [VideoFormat.H265_REXT8_444, SCM.HEVC_REXT8_444],
  [VideoFormat.H265, SCM.HEVC],
];
const H264_PROFILES: ReadonlyArray<readonly [number, number]> = [
  [VideoFormat.H264_HIGH8_444, SCM.H264_HIGH8_444],
  [VideoFormat.H264, SCM.H264],
];
const AV1_FORMATS = VideoFormat.AV1_MAIN8 | VideoFormat.AV1_MAIN10 | VideoFormat.AV1_HIGH8_444 | VideoFormat.AV1_HIGH10_444;
const HEVC_FORMATS = VideoFormat.H265 | VideoFormat.H265_MAIN10 | VideoFormat.H265_REXT8_444 | VideoFormat.H265_REXT10_444;
const TEN_BIT_FORMATS = VideoFormat.H265_MAIN10 | VideoFormat.H265_REXT10_444 | VideoFormat.AV1_MAIN10 | VideoFormat.AV1_HIGH10_444;
const YUV444_FORMATS = VideoFormat.H264_HIGH8_444 | VideoFormat.H265_REXT8_444 | VideoFormat.H265_REXT10_444 | VideoFormat.AV1_HIGH8_444 | VideoFormat.AV1_HIGH10_444;
