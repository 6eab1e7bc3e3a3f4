// What the simulated host answers to each RTSP request (control-plane.md §6.3, §6.5, §10):
// Sunshine's replies, built from the launch session that /launch or /resume armed. No sockets
// here (rtsp-server.ts has them), so each answer can be tested on its own.

import type { LaunchSession } from './launch-control.ts';
import { STATUS, type ReplyStatus, type SimRtspRequest } from './rtsp-wire.ts';
import { sunshineInt32 } from './sunshine-text.ts';

/** Sunshine's `lan_encryption_mode` / `wan_encryption_mode` (§6.3, captures README). */
export type EncryptionMode = 'never' | 'opportunistic' | 'mandatory';

export interface RtspHostConfig {
  encryptionMode: EncryptionMode;
  /** ServerCodecModeSupport: which codec lines DESCRIBE carries and ANNOUNCE accepts. */
  codecModeSupport: number;
  /** DESCRIBE's x-ss-general.featureFlags (current Sunshine on Linux: 0x02). */
  featureFlags: number;
  /** The host's UDP ports, sent in the SETUP replies. */
  streamPorts: () => { video: number; audio: number; control: number };
}

/** What the client announced: the stream the host now starts (Sunshine's session config). */
export interface AnnouncedStream {
  launchSessionId: number;
  width: number;
  height: number;
  fps: number;
  packetSizeBytes: number;
  maximumBitrateKbps: number;
  configuredBitrateKbps: number;
  codec: 'h264' | 'hevc' | 'av1';
  dynamicRange: number;
  chromaSamplingType: number;
  encryptionEnabled: number;
  /** Video is encrypted; audio is encrypted by SS_ENC or by the legacy NV feature bit. */
  encryptVideo: boolean;
  encryptAudio: boolean;
  clientFeatureFlags: number;
  controlProtocol: number;
  minRequiredFecPackets: number;
  audioChannels: number;
  audioChannelMask: number;
  audioPacketDurationMs: number;
  highQualityAudio: boolean;
  slicesPerFrame: number;
  maxNumReferenceFrames: number;
  /** The full attribute table, for checks beyond the fields above. */
  attributes: ReadonlyMap<string, string>;
}

export interface RtspReply {
  status: ReplyStatus;
  headers: Array<readonly [string, string]>;
  body: string;
}

export function handleRtspRequest(req: SimRtspRequest, session: LaunchSession, config: RtspHostConfig, onStreamStart: (stream: AnnouncedStream) => void): RtspReply {
  const cseq = header(req, 'CSeq');
  const reply = (status: ReplyStatus, extra: Array<readonly [string, string]> = [], body = ''): RtspReply => ({
    status,
    headers: cseq === null ? extra : [['CSeq', cseq], ...extra],
    body,
  });
  switch (req.method) {
    case 'OPTIONS':
    case 'PLAY':
      return reply(STATUS.ok);
    case 'DESCRIBE':
      return reply(STATUS.ok, [], describeBody(session, config));
    case 'SETUP':
      return setup(req, session, config, reply);
    case 'ANNOUNCE':
      return announce(req, session, config, onStreamStart, reply);
    default:
      return reply(STATUS.notFound);
  }
}

/** The DESCRIBE body: LF-only lines, in the order of §10 (flags, codecs, Opus layouts). */
export function describeBody(session: LaunchSession, config: RtspHostConfig): string {
  const lines = [
    `a=x-ss-general.featureFlags:${config.featureFlags}`,
    `a=x-ss-general.encryptionSupported:${encryptionSupported(config.encryptionMode)}`,
    `a=x-ss-general.encryptionRequested:${encryptionRequested(config.encryptionMode)}`,
  ];
  if ((config.codecModeSupport & SCM_HEVC_ANY) !== 0) lines.push('sprop-parameter-sets=AAAAAU');
  if ((config.codecModeSupport & SCM_AV1_ANY) !== 0) lines.push('a=rtpmap:98 AV1/90000');
  // A launch's own surroundParams wins for both qualities, so it is printed twice first (§6.6).
  const custom = session.surroundParams === '' ? [] : [session.surroundParams, session.surroundParams];
  for (const params of [...custom, ...SURROUND_PARAMS]) lines.push(`a=fmtp:97 surround-params=${params}`);
  return lines.map((l) => `${l}\n`).join('');
}

function setup(req: SimRtspRequest, session: LaunchSession, config: RtspHostConfig, reply: (s: ReplyStatus, h?: Array<readonly [string, string]>) => RtspReply): RtspReply {
  // Sunshine reads the stream type between '=' and the next '/' of the target (§6.2).
  const type = /=([^/]*)/.exec(req.target)?.[1] ?? '';
  const ports = config.streamPorts();
  const common: Array<readonly [string, string]> = [['Session', SESSION_HEADER]];
  switch (type) {
    case 'audio':
      return reply(STATUS.ok, [...common, ['Transport', `server_port=${ports.audio}`], ['X-SS-Ping-Payload', session.avPingPayload]]);
    case 'video':
      return reply(STATUS.ok, [...common, ['Transport', `server_port=${ports.video}`], ['X-SS-Ping-Payload', session.avPingPayload]]);
    case 'control':
      return reply(STATUS.ok, [...common, ['Transport', `server_port=${ports.control}`], ['X-SS-Connect-Data', String(session.controlConnectData)]]);
    default:
      return reply(STATUS.notFound);
  }
}

function announce(
  req: SimRtspRequest,
  session: LaunchSession,
  config: RtspHostConfig,
  onStreamStart: (stream: AnnouncedStream) => void,
  reply: (s: ReplyStatus) => RtspReply,
): RtspReply {
  const attributes = parseSdpAttributes(req.body);
  if (REQUIRED_ATTRIBUTES.some((name) => !attributes.has(name))) return reply(STATUS.badRequest);
  const value = (name: string, fallback: number): number => {
    const text = attributes.get(name);
    return text === undefined ? fallback : sunshineInt32(text);
  };
  const format = value('x-nv-vqos[0].bitStreamFormat', 0);
  const codec = format === 1 ? 'hevc' : format === 2 ? 'av1' : 'h264';
  if ((codec === 'hevc' && (config.codecModeSupport & SCM_HEVC_ANY) === 0) || (codec === 'av1' && (config.codecModeSupport & SCM_AV1_ANY) === 0)) {
    return reply(STATUS.badRequest);
  }
  const encryptionEnabled = value('x-ss-general.encryptionEnabled', 0);
  const nvFeatureFlags = value('x-nv-general.featureFlags', NV_FEATURE_FLAGS_DEFAULT);
  if (config.encryptionMode === 'mandatory' && (encryptionEnabled & (ENC_VIDEO | ENC_AUDIO)) !== (ENC_VIDEO | ENC_AUDIO)) return reply(STATUS.forbidden);
  const channels = value('x-nv-audio.surround.numChannels', 2);
  // For stereo Sunshine picks its high-quality encoder unless the Host header names 0.0.0.0.
  const highQualityAudio = channels === 2 ? !(header(req, 'Host') ?? '').includes('0.0.0.0') : value('x-nv-audio.surround.AudioQuality', 0) !== 0;
  onStreamStart({
    launchSessionId: session.id,
    width: value('x-nv-video[0].clientViewportWd', 0),
    height: value('x-nv-video[0].clientViewportHt', 0),
    fps: value('x-nv-video[0].maxFPS', 0),
    packetSizeBytes: value('x-nv-video[0].packetSize', 0),
    maximumBitrateKbps: value('x-nv-vqos[0].bw.maximumBitrateKbps', 0),
    configuredBitrateKbps: value('x-ml-video.configuredBitrateKbps', 0),
    codec,
    dynamicRange: value('x-nv-video[0].dynamicRangeMode', 0),
    chromaSamplingType: value('x-ss-video[0].chromaSamplingType', 0),
    encryptionEnabled,
    encryptVideo: (encryptionEnabled & ENC_VIDEO) !== 0,
    encryptAudio: (encryptionEnabled & ENC_AUDIO) !== 0 || (nvFeatureFlags & NV_FEATURE_AUDIO_ENCRYPTION) !== 0,
    clientFeatureFlags: value('x-ml-general.featureFlags', 0),
    controlProtocol: value('x-nv-general.useReliableUdp', 1),
    minRequiredFecPackets: value('x-nv-vqos[0].fec.minRequiredFecPackets', 0),
    audioChannels: channels,
    audioChannelMask: value('x-nv-audio.surround.channelMask', 0),
    audioPacketDurationMs: value('x-nv-aqos.packetDuration', 5),
    highQualityAudio,
    slicesPerFrame: value('x-nv-video[0].videoEncoderSlicesPerFrame', 1),
    maxNumReferenceFrames: value('x-nv-video[0].maxNumReferenceFrames', 0),
    attributes,
  });
  return reply(STATUS.ok);
}

/** `a=name:value` lines: split at the first ':', one trailing character dropped (§6.4). */
export function parseSdpAttributes(body: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.startsWith('a=')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    attributes.set(line.slice(2, colon), line.slice(colon + 1, -1));
  }
  return attributes;
}

function header(req: SimRtspRequest, name: string): string | null {
  return req.headers.find(([n]) => n === name)?.[1] ?? null;
}

function encryptionSupported(mode: EncryptionMode): number {
  return ENC_CONTROL_V2 | ENC_AUDIO | (mode === 'never' ? 0 : ENC_VIDEO);
}

function encryptionRequested(mode: EncryptionMode): number {
  return ENC_CONTROL_V2 | (mode === 'mandatory' ? ENC_VIDEO | ENC_AUDIO : 0);
}

// Sunshine's fixed session header (§6.3).
const SESSION_HEADER = 'DEADBEEFCAFE;timeout = 90';
// §6.6, corrected in §10: the six layouts in Sunshine's order, normal-quality surround rotated.
const SURROUND_PARAMS = ['21101', '21101', '642012453', '660012345', '85301245367', '88001234567'];
// §6.4: attributes Sunshine cannot start a stream without.
const REQUIRED_ATTRIBUTES = [
  'x-nv-video[0].clientViewportWd',
  'x-nv-video[0].clientViewportHt',
  'x-nv-video[0].maxFPS',
  'x-nv-video[0].packetSize',
  'x-nv-vqos[0].bw.maximumBitrateKbps',
  'x-nv-video[0].videoEncoderSlicesPerFrame',
  'x-nv-video[0].maxNumReferenceFrames',
  'x-nv-audio.surround.numChannels',
  'x-nv-audio.surround.channelMask',
  'x-nv-audio.surround.AudioQuality',
];
const ENC_CONTROL_V2 = 0x01;
const ENC_VIDEO = 0x02;
const ENC_AUDIO = 0x04;
const NV_FEATURE_FLAGS_DEFAULT = 135;
const NV_FEATURE_AUDIO_ENCRYPTION = 0x20;
// ServerCodecModeSupport masks (§3.4).
const SCM_HEVC_ANY = 0x00180300;
const SCM_AV1_ANY = 0x00630000;
