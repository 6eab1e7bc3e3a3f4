// The recorded Sunshine sessions (shared/captures/, README there) as the RTSP tests use them:
// the TCP 48010 conversations of capture.pcap, the launch key, the decrypted exchange in
// rtsp-plaintext.txt, the negotiated values in session.json, and the options the reference
// client (moonlight-embedded) was started with, as our StreamSettings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchKeysFrom, type LaunchKeys } from '../../../src/session/launch.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type StreamSettings } from '../../../src/session/stream-config.ts';
import { readTcpConversations, type TcpConversation } from './pcap-tcp.ts';

export const CAPTURES_DIR = process.env['GSC_CAPTURES_DIR'] ?? new URL('../../../../shared/captures/', import.meta.url).pathname;

export interface CaptureCase {
  folder: string;
  /** `-codec h264` offers H.264 only; `-codec h265` offers HEVC (and H.264). */
  videoFormats: number;
}

export const CAPTURE_CASES: readonly CaptureCase[] = [
  { folder: 'sunshine-0.23.1/dev-h264-720p60', videoFormats: VideoFormat.H264 },
  { folder: 'sunshine-0.23.1/dev-h265-720p60', videoFormats: VideoFormat.H264 | VideoFormat.H265 },
  { folder: 'sunshine-2026.817/dev-h264-720p60', videoFormats: VideoFormat.H264 },
  { folder: 'sunshine-2026.817/dev-h265-720p60-encvideo', videoFormats: VideoFormat.H264 | VideoFormat.H265 },
];

export interface RtspExchange {
  clientPort: number;
  clientSequence: number;
  request: Uint8Array;
  hostSequence: number;
  reply: Uint8Array;
}

export interface Capture {
  name: string;
  keys: LaunchKeys;
  exchanges: RtspExchange[];
  conversations: TcpConversation[];
  session: SessionFacts;
  settings: StreamSettings;
  appVersion: string;
  codecModeSupport: number;
  sessionUrl: string;
}

/** The session.json values the RTSP handshake must reproduce. */
export interface SessionFacts {
  ports: { video: number; audio: number; control: number; rtsp: number };
  codec: string;
  negotiatedVideoFormat: number;
  packetSizeAnnounced: number;
  bitrateAnnouncedKbps: number;
  videoEncrypted: boolean;
  audio: { channels: number; streams: number; coupled: number; mapping: number[]; packetDurationMs: number; highQuality: boolean };
  pingPayload: string;
  connectData: number;
  enetChannels: number;
  describeFeatureFlags: number;
  encryptionEnabled: number;
  clientFeatureFlags: number;
  nvFeatureFlags: number;
  useReliableUdp: number;
  maxNumReferenceFrames: number;
  encryptionEnabledFlags: number;
}

export function loadCapture(c: CaptureCase): Capture {
  const dir = join(CAPTURES_DIR, c.folder);
  const keysJson = readJson(join(dir, 'keys.json'));
  const sessionJson = readJson(join(dir, 'session.json'));
  const rikey = Uint8Array.from(Buffer.from(str(keysJson, 'rikey_hex'), 'hex'));
  const width = num(sessionJson, 'video.width');
  const height = num(sessionJson, 'video.height');
  const fps = num(sessionJson, 'video.fps');
  const settings: StreamSettings = {
    ...DEFAULT_STREAM_SETTINGS,
    width,
    height,
    fps,
    bitrateKbps: num(sessionJson, 'video.bitrate_kbps_configured'),
    packetSizeBytes: 1392,
    network: bool(sessionJson, 'negotiation.streaming_remotely') ? 'remote' : 'local',
    videoFormats: c.videoFormats,
    audioChannels: 2,
    // "the client asks for video encryption whenever the host offers it" (session.json).
    encryptVideo: true,
    encryptAudio: true,
  };
  const mapping = field(sessionJson, 'audio.opus_mapping');
  return {
    name: c.folder,
    keys: launchKeysFrom(rikey, num(keysJson, 'rikeyid')),
    exchanges: parseRtspPlaintext(readFileSync(join(dir, 'rtsp-plaintext.txt'))),
    conversations: readTcpConversations(new Uint8Array(readFileSync(join(dir, 'capture.pcap'))), num(sessionJson, 'ports.host.rtsp')),
    settings,
    appVersion: str(sessionJson, 'host.appversion'),
    codecModeSupport: num(sessionJson, 'host.server_codec_mode_support'),
    sessionUrl: str(sessionJson, 'negotiation.session_url'),
    session: {
      ports: { video: num(sessionJson, 'ports.host.video'), audio: num(sessionJson, 'ports.host.audio'), control: num(sessionJson, 'ports.host.control'), rtsp: num(sessionJson, 'ports.host.rtsp') },
      codec: str(sessionJson, 'video.codec'),
      negotiatedVideoFormat: Number(str(sessionJson, 'video.negotiated_video_format')),
      packetSizeAnnounced: num(sessionJson, 'video.packet_size_announced'),
      bitrateAnnouncedKbps: num(sessionJson, 'video.bitrate_kbps_announced_max'),
      videoEncrypted: bool(sessionJson, 'video.video_encrypted'),
      audio: {
        channels: num(sessionJson, 'audio.channels'),
        streams: num(sessionJson, 'audio.opus_streams'),
        coupled: num(sessionJson, 'audio.opus_coupled_streams'),
        mapping: Array.isArray(mapping) ? mapping.map(Number) : [],
        packetDurationMs: num(sessionJson, 'audio.packet_duration_ms'),
        highQuality: bool(sessionJson, 'audio.high_quality'),
      },
      pingPayload: str(sessionJson, 'negotiation.ping_payload'),
      connectData: num(sessionJson, 'negotiation.control_connect_data'),
      enetChannels: num(sessionJson, 'negotiation.enet_channels'),
      describeFeatureFlags: num(sessionJson, 'negotiation.describe_x_ss_general_featureFlags'),
      encryptionEnabled: num(sessionJson, 'negotiation.announce_x_ss_general_encryptionEnabled'),
      clientFeatureFlags: num(sessionJson, 'negotiation.announce_x_ml_general_featureFlags'),
      nvFeatureFlags: num(sessionJson, 'negotiation.announce_x_nv_general_featureFlags'),
      useReliableUdp: num(sessionJson, 'negotiation.announce_useReliableUdp'),
      maxNumReferenceFrames: num(sessionJson, 'negotiation.announce_maxNumReferenceFrames'),
      encryptionEnabledFlags: num(keysJson, 'encryption_enabled_flags'),
    },
  };
}

/**
 * rtsp-plaintext.txt: "=== client -> host (connection from port P, frame sequence S, N bytes)"
 * then N bytes and one LF; the same for "=== host -> client (frame sequence S, N bytes)";
 * then "=== end".
 */
export function parseRtspPlaintext(file: Uint8Array): RtspExchange[] {
  const text = Buffer.from(file).toString('latin1');
  const exchanges: RtspExchange[] = [];
  const marker = /=== client -> host \(connection from port (\d+), frame sequence (\d+), (\d+) bytes\)\n/g;
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
    const requestStart = m.index + m[0].length;
    const requestBytes = Number(m[3]);
    const request = file.subarray(requestStart, requestStart + requestBytes);
    const hostMarker = /^\n=== host -> client \(frame sequence (\d+), (\d+) bytes\)\n/.exec(text.slice(requestStart + requestBytes));
    if (hostMarker === null) throw new Error(`rtsp-plaintext.txt: no host reply after the request at ${m.index}`);
    const replyStart = requestStart + requestBytes + hostMarker[0].length;
    const reply = file.subarray(replyStart, replyStart + Number(hostMarker[2]));
    exchanges.push({ clientPort: Number(m[1]), clientSequence: Number(m[2]), request, hostSequence: Number(hostMarker[1]), reply });
    marker.lastIndex = replyStart + reply.length;
  }
  return exchanges;
}

// ---- JSON access with a test failure for a missing or mistyped field ----

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function field(obj: unknown, path: string): unknown {
  let at: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || !(key in at)) throw new Error(`fixture field ${path} is missing`);
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function num(obj: unknown, path: string): number {
  const v = field(obj, path);
  if (typeof v !== 'number') throw new Error(`fixture field ${path} is not a number`);
  return v;
}

function str(obj: unknown, path: string): string {
  const v = field(obj, path);
  if (typeof v !== 'string') throw new Error(`fixture field ${path} is not a string`);
  return v;
}

function bool(obj: unknown, path: string): boolean {
  const v = field(obj, path);
  if (typeof v !== 'boolean') throw new Error(`fixture field ${path} is not a boolean`);
  return v;
}
