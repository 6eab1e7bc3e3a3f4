// The RTSP handshake as a state machine with no I/O (control-plane.md §6.3): it says which
// request to send next and takes the host's reply to it, until PLAY is answered and a
// StreamConfig exists. rtsp-client.ts carries the bytes; the capture tests drive this same
// machine with a real host's replies and compare its requests with the real client's.
//
// States run in a fixed order, one request each:
//   options → describe → setup-audio → setup-video → setup-control → announce → play → done
// Any reply other than a 200 with the expected CSeq moves to `failed` and stays there.

import { err, ok, type Result } from '../lib/result.ts';
import type { LaunchKeys, RtspEndpoint } from './launch.ts';
import type { RtspStage, StreamStartError } from './rtsp-error.ts';
import { asciiBytes, formatRtspRequest, headerValue, type RtspHeader, type RtspMessage } from './rtsp-message.ts';
import { hostDialect, negotiate, wantsHighQualityAudio, type HostDialect, type HostVersion, type Negotiated } from './rtsp-negotiate.ts';
import { buildAnnounceSdp } from './sdp-announce.ts';
import { parseDescribeBody } from './sdp-describe.ts';
import type { StreamConfig, StreamSettings } from './stream-config.ts';

export interface HandshakeParams {
  /** The address the client reaches the host at (IPv6 without brackets). */
  hostAddress: string;
  host: HostVersion;
  rtsp: RtspEndpoint;
  settings: StreamSettings;
  keys: LaunchKeys;
}

export interface RtspHandshake {
  /** The stage whose request is due, or null once done or failed. */
  stage(): RtspStage | null;
  /** The plaintext of the due request; the same bytes until its reply is handled. */
  request(): Uint8Array;
  /** The reply to the due request. */
  handleReply(reply: RtspMessage): Result<void, StreamStartError>;
  /** The negotiated stream, once PLAY was answered. */
  result(): StreamConfig | null;
}

export function createRtspHandshake(params: HandshakeParams): Result<RtspHandshake, StreamStartError> {
  const dialect = hostDialect(params.host);
  if (!dialect.ok) return dialect;
  return ok(handshakeFor(params, dialect.value));
}

function handshakeFor(params: HandshakeParams, dialect: HostDialect): RtspHandshake {
  const { settings, rtsp } = params;
  const highQualityHost = wantsHighQualityAudio(settings);
  const target = highQualityHost ? (rtsp.url ?? `rtsp://${urlHost(params.hostAddress)}:${rtsp.port}`) : `rtsp://0.0.0.0:${rtsp.port}`;
  const hostHeader = highQualityHost ? hostPart(target) : '0.0.0.0';

  let index = 0;
  let failed = false;
  let negotiated: Negotiated | null = null;
  let hostFeatureFlags = 0;
  let sessionId: string | null = null;
  let pingPayload: string | null = null;
  let connectData = 0;
  const ports = { audio: 0, video: 0, control: 0 };
  let config: StreamConfig | null = null;

  const stage = (): RtspStage | null => (failed ? null : (STAGES[index] ?? null));

  const request = (): Uint8Array => {
    const current = stage();
    if (current === null) throw new Error('no RTSP request is due');
    const common: RtspHeader[] = [
      { name: 'CSeq', value: String(index + 1) },
      { name: 'X-GS-ClientVersion', value: String(dialect.rtspClientVersion) },
      { name: 'Host', value: hostHeader },
    ];
    const session: RtspHeader[] = sessionId === null ? [] : [{ name: 'Session', value: sessionId }];
    const none = new Uint8Array(0);
    switch (current) {
      case 'options':
        return formatRtspRequest({ method: 'OPTIONS', target, headers: common, body: none });
      case 'describe':
        return formatRtspRequest({ method: 'DESCRIBE', target, headers: [...common, ACCEPT_SDP, IF_MODIFIED_SINCE], body: none });
      case 'setup-audio':
      case 'setup-video':
      case 'setup-control':
        return formatRtspRequest({ method: 'SETUP', target: SETUP_TARGETS[current], headers: [...common, ...session, TRANSPORT, IF_MODIFIED_SINCE], body: none });
      case 'announce': {
        const body = asciiBytes(announceBody());
        const headers = [...common, ...session, { name: 'Content-type', value: 'application/sdp' }, { name: 'Content-length', value: String(body.length) }];
        return formatRtspRequest({ method: 'ANNOUNCE', target: ANNOUNCE_TARGET, headers, body });
      }
      case 'play':
        return formatRtspRequest({ method: 'PLAY', target: '/', headers: [...common, ...session], body: none });
    }
  };

  const announceBody = (): string => {
    if (negotiated === null) throw new Error('ANNOUNCE before DESCRIBE');
    const n = negotiated;
    return buildAnnounceSdp({
      sunshine: n.family === 'sunshine',
      rtspClientVersion: n.rtspClientVersion,
      hostAddress: params.hostAddress,
      clientFeatureFlags: CLIENT_FEATURE_FLAGS,
      encryptionEnabled: n.encryptionEnabled,
      yuv444: n.yuv444,
      width: n.width,
      height: n.height,
      fps: settings.fps,
      packetSizeBytes: n.packetSizeBytes,
      announcedBitrateKbps: n.announcedBitrateKbps,
      configuredBitrateKbps: settings.bitrateKbps,
      remote: settings.network === 'remote',
      nvFeatureFlags: n.nvFeatureFlags,
      controlProtocol: CONTROL_PROTOCOL_ENCRYPTED,
      minRequiredFecPackets: MIN_REQUIRED_FEC_PACKETS,
      slicesPerFrame: settings.slicesPerFrame,
      codec: n.codec,
      tenBit: n.tenBit,
      referenceFrameInvalidation: n.referenceFrameInvalidation,
      displayRefreshRateX100: settings.displayRefreshRateX100,
      audioChannels: n.audio.channels,
      audioChannelMask: n.audio.channelMask,
      highQualitySurround: n.audio.channels > 2 && n.audio.highQuality,
      audioPacketDurationMs: n.audio.packetDurationMs,
      encoderCscMode: n.encoderCscMode,
      videoPort: ports.video,
    });
  };

  const fail = (error: StreamStartError): { ok: false; error: StreamStartError } => {
    failed = true;
    return err(error);
  };

  const handleReply = (reply: RtspMessage): Result<void, StreamStartError> => {
    const current = stage();
    if (current === null) throw new Error('no RTSP request is due');
    const malformed = (detail: string): { ok: false; error: StreamStartError } => fail({ kind: 'rtsp-malformed', stage: current, detail });
    if (reply.kind !== 'response') return malformed('the host sent a request instead of a reply');
    if (reply.statusCode !== 200) return fail({ kind: 'rtsp-status', stage: current, statusCode: reply.statusCode, reason: reply.reason });
    const cseq = headerValue(reply, 'CSeq');
    if (cseq !== String(index + 1)) return malformed(`reply CSeq ${JSON.stringify(cseq)} to request ${index + 1}`);

    switch (current) {
      case 'describe': {
        const offer = parseDescribeBody(reply.body);
        if (!offer.ok) return malformed(offer.error.detail);
        const chosen = negotiate(dialect, params.host, offer.value, settings, params.hostAddress);
        if (!chosen.ok) return fail(chosen.error);
        negotiated = chosen.value;
        hostFeatureFlags = offer.value.hostFeatureFlags;
        break;
      }
      case 'setup-audio':
      case 'setup-video':
      case 'setup-control': {
        const setup = readSetupReply(reply, current, rtsp.port);
        if (!setup.ok) return malformed(setup.error);
        sessionId ??= setup.value.sessionId;
        ports[SETUP_STREAMS[current]] = setup.value.port;
        if (setup.value.pingPayload !== null) pingPayload = setup.value.pingPayload;
        if (current === 'setup-control') connectData = setup.value.connectData;
        break;
      }
      case 'play':
        config = finish();
        break;
      case 'options':
      case 'announce':
        break;
    }
    index += 1;
    return ok(undefined);
  };

  const finish = (): StreamConfig => {
    if (negotiated === null || sessionId === null) throw new Error('PLAY before DESCRIBE and SETUP');
    const n = negotiated;
    return {
      hostAddress: params.hostAddress,
      ports: { ...ports },
      video: {
        codec: n.codec,
        format: n.format,
        width: n.width,
        height: n.height,
        fps: settings.fps,
        packetSizeBytes: n.packetSizeBytes,
        announcedBitrateKbps: n.announcedBitrateKbps,
        configuredBitrateKbps: settings.bitrateKbps,
        minRequiredFecPackets: MIN_REQUIRED_FEC_PACKETS,
        referenceFrameInvalidation: n.referenceFrameInvalidation,
        tenBit: n.tenBit,
        yuv444: n.yuv444,
        encoderCscMode: n.encoderCscMode,
        slicesPerFrame: settings.slicesPerFrame,
      },
      audio: n.audio,
      encryption: { rtsp: rtsp.encrypted, enabledFlags: n.encryptionEnabled, control: n.encryptControl, video: n.encryptVideo, audio: n.encryptAudio },
      pingPayload,
      control: { connectData, channelCount: ENET_CHANNEL_COUNT, protocol: CONTROL_PROTOCOL_ENCRYPTED },
      hostFeatureFlags,
      clientFeatureFlags: CLIENT_FEATURE_FLAGS,
      nvFeatureFlags: n.nvFeatureFlags,
      rtspSessionId: sessionId,
      keys: params.keys,
    };
  };

  return { stage, request, handleReply, result: () => config };
}

interface SetupReply {
  sessionId: string;
  port: number;
  pingPayload: string | null;
  connectData: number;
}

/** Session, Transport, X-SS-Ping-Payload and X-SS-Connect-Data of a SETUP reply (§6.3). */
function readSetupReply(reply: RtspMessage, stage: 'setup-audio' | 'setup-video' | 'setup-control', rtspPort: number): Result<SetupReply, string> {
  // "DEADBEEFCAFE;timeout = 90": the id is what precedes the first ';'.
  const sessionId = (headerValue(reply, 'Session') ?? '').split(';')[0]?.trim() ?? '';
  if (sessionId === '') return err('SETUP reply without a Session id');
  if (!/^[\x21-\x7e]{1,64}$/.test(sessionId)) return err(`unusable Session id ${JSON.stringify(sessionId.slice(0, 80))}`);
  const stream = SETUP_STREAMS[stage];
  // A missing or unreadable port means the default (§6.3); Sunshine's defaults sit at fixed
  // offsets from its RTSP port, which keeps a host on another base port working.
  const portMatch = /server_port=(\d{1,5})/.exec(headerValue(reply, 'Transport') ?? '');
  const parsedPort = portMatch === null ? 0 : Number(portMatch[1]);
  const port = parsedPort >= 1 && parsedPort <= 65535 ? parsedPort : rtspPort + DEFAULT_PORT_OFFSETS[stream];
  // Only an exactly 16-character payload is used (§6.3); anything else means legacy pings.
  const payload = headerValue(reply, 'X-SS-Ping-Payload');
  const pingPayload = payload !== null && /^[\x21-\x7e]{16}$/.test(payload) ? payload : null;
  const connect = headerValue(reply, 'X-SS-Connect-Data');
  let connectData = 0;
  if (connect !== null) {
    const parsed = parseUnsigned(connect);
    if (parsed === null) return err(`bad X-SS-Connect-Data ${JSON.stringify(connect.slice(0, 40))}`);
    connectData = parsed;
  }
  return ok({ sessionId, port, pingPayload, connectData });
}

/** strtoul with base 0, as the reference client reads it: decimal, 0x hex, or 0 octal. */
function parseUnsigned(text: string): number | null {
  const m = /^(?:0[xX]([0-9a-fA-F]{1,8})|(0[0-7]{0,11})|([1-9]\d{0,9}))$/.exec(text.trim());
  if (m === null) return null;
  const value = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3]);
  return value <= 0xffffffff ? value : null;
}

/** The host part of an rtsp:// or rtspenc:// URL, brackets kept for IPv6. */
function hostPart(url: string): string {
  const m = /^[a-z]+:\/\/(\[[^\]]*\]|[^/:]*)/i.exec(url);
  return m?.[1] ?? url;
}

function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

const STAGES: readonly RtspStage[] = ['options', 'describe', 'setup-audio', 'setup-video', 'setup-control', 'announce', 'play'];
// Hosts from 7.1.431 on: control target with protocol 13, ANNOUNCE to it (§6.3, §7.2).
const SETUP_TARGETS = { 'setup-audio': 'streamid=audio/0/0', 'setup-video': 'streamid=video/0/0', 'setup-control': 'streamid=control/13/0' } as const;
const SETUP_STREAMS = { 'setup-audio': 'audio', 'setup-video': 'video', 'setup-control': 'control' } as const;
const ANNOUNCE_TARGET = 'streamid=control/13/0';
// §1.1: Sunshine's stream ports relative to its RTSP port (base + 21): video +9, control +10, audio +11.
const DEFAULT_PORT_OFFSETS = { video: -12, control: -11, audio: -10 } as const;
const ACCEPT_SDP: RtspHeader = { name: 'Accept', value: 'application/sdp' };
const IF_MODIFIED_SINCE: RtspHeader = { name: 'If-Modified-Since', value: 'Thu, 01 Jan 1970 00:00:00 GMT' };
// The client ports are a placeholder nobody reads (§6.3).
const TRANSPORT: RtspHeader = { name: 'Transport', value: 'unicast;X-GS-ClientPort=50000-50001' };
// x-ml-general.featureFlags: 0x01 we send FEC status, 0x02 we use ping payloads and connect
// data, which lets Sunshine tell clients apart behind one address (§6.4, §6.7).
const CLIENT_FEATURE_FLAGS = 0x03;
// useReliableUdp 13: the encrypted control protocol (§6.4).
const CONTROL_PROTOCOL_ENCRYPTED = 13;
// §6.4: at least two parity packets per FEC block.
const MIN_REQUIRED_FEC_PACKETS = 2;
// §6.7: the ENet connect asks for 0x30 channels.
const ENET_CHANNEL_COUNT = 48;
