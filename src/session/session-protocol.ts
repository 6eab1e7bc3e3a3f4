// The messages between the page and a session worker (style guide D.10), and the parsers of
// the stream values that cross threads (a StreamSettings to the services worker, a
// PreparedStream back and on to the session worker). Every message is parsed once, at the
// receiving edge (D.4).
//
// Main -> worker: `start` once (the platform to build, the prepared stream, where media goes),
// then `request-idr` and `stop`. Worker -> main: `started` or `start-failed`, `event`s, and in
// the browser one `video` or `audio` message per access unit or PCM block, whose buffer is
// transferred (it crosses once, design principle 5). On a TV the worker appends to EMSS itself
// and no media message crosses, except `audio` when the TV plays sound through Web Audio.

import type { ServiceError, StreamEnd, StreamEvent, StreamInfo, StreamStats } from '../app/services.ts';
import { parseServiceError } from '../app/worker/protocol-parse.ts';
import type { InitMessage } from '../app/worker/protocol.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { parseEmssTrackEvent, type EmssTrackEvent } from '../platform/tizen/emss-track-events.ts';
import type { LaunchKeys } from './launch.ts';
import type { PreparedStream } from './start-stream.ts';
import type { AudioChannelCount, StreamConfig, StreamSettings, VideoCodec } from './stream-config.ts';

/** Where the worker sends pictures and sound. */
export type SessionMediaTarget =
  /** Post each unit to the page (browser: WebCodecs and Web Audio live on the main thread). */
  | { kind: 'post' }
  /** Append to EMSS from the worker (platform/tizen.md §1.8); tracks arrive as `emss-track` messages. */
  | { kind: 'emss' }
  /**
   * Video as for `emss`, PCM posted as for `post`: a TV playing sound through Web Audio, for
   * sets whose PCM track crackles (platform/tizen.md §1.13). The AudioWorklet lives on the page.
   */
  | { kind: 'emss-video' };

/** One access unit, Annex-B, in a buffer of its own (transferred). */
export interface PostedVideoFrame {
  data: Uint8Array;
  frameIndex: number;
  keyFrame: boolean;
  /** On the session's A/V clock (src/media/av-clock.ts). */
  ptsUs: number;
}

/** Interleaved signed 16-bit PCM in a buffer of its own (transferred). */
export interface PostedAudioBlock {
  samples: Int16Array;
  channels: number;
  samplesPerChannel: number;
  concealed: boolean;
}

export type ToSessionWorker =
  | {
      kind: 'start';
      /** The same platform description the services worker gets. */
      platform: InitMessage;
      prepared: PreparedStream;
      media: SessionMediaTarget;
    }
  /** What the page's EMSS owner reported about a track (TV only). */
  | { kind: 'emss-track'; event: EmssTrackEvent }
  | { kind: 'request-idr' }
  | { kind: 'stop' };

export type FromSessionWorker =
  | { kind: 'started' }
  | { kind: 'start-failed'; error: ServiceError }
  | { kind: 'event'; event: StreamEvent }
  | { kind: 'video'; frame: PostedVideoFrame }
  | { kind: 'audio'; block: PostedAudioBlock };

/** The buffers to transfer with a message from the worker: a media message's own bytes. */
export function sessionTransfer(message: FromSessionWorker): ArrayBuffer[] {
  if (message.kind === 'video') return ownBuffer(message.frame.data);
  if (message.kind === 'audio') return ownBuffer(message.block.samples);
  return [];
}

function ownBuffer(view: Uint8Array | Int16Array): ArrayBuffer[] {
  const buffer = view.buffer;
  // Only a view that is its whole buffer is transferred; anything else would detach more.
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength ? [buffer] : [];
}

// ---- parsers ----

type Parsed<T> = Result<T, string>;

export function parseToSessionWorker(data: unknown): Parsed<ToSessionWorker> {
  const r = fieldReader(data, 'message');
  const kind = r.str('kind');
  switch (kind) {
    case 'start': {
      const platform = parseInit(r.raw('platform'));
      if (!platform.ok) return platform;
      const prepared = parsePreparedStream(r.raw('prepared'));
      if (!prepared.ok) return prepared;
      const media = parseMediaTarget(r.raw('media'));
      if (!media.ok) return media;
      return ok({ kind: 'start', platform: platform.value, prepared: prepared.value, media: media.value });
    }
    case 'emss-track': {
      const event = parseEmssTrackEvent(r.raw('event'));
      return event.ok ? ok({ kind, event: event.value }) : event;
    }
    case 'request-idr':
    case 'stop':
      return ok({ kind });
    default:
      return err(`unknown message ${kind}`);
  }
}

export function parseFromSessionWorker(data: unknown): Parsed<FromSessionWorker> {
  const r = fieldReader(data, 'message');
  const kind = r.str('kind');
  switch (kind) {
    case 'started':
      return ok({ kind });
    case 'start-failed': {
      const error = parseServiceError(r.raw('error'));
      return error.ok ? ok({ kind, error: error.value }) : error;
    }
    case 'event': {
      const event = parseStreamEvent(r.raw('event'));
      return event.ok ? ok({ kind, event: event.value }) : event;
    }
    case 'video': {
      const f = r.nested('frame');
      const frame: PostedVideoFrame = { data: f.bytes('data'), frameIndex: f.int('frameIndex'), keyFrame: f.bool('keyFrame'), ptsUs: f.num('ptsUs') };
      return r.done({ kind, frame });
    }
    case 'audio': {
      const b = r.nested('block');
      const samples = b.raw('samples');
      if (!(samples instanceof Int16Array)) return err('audio samples are not an Int16Array');
      const block: PostedAudioBlock = { samples, channels: b.int('channels', 1, MAX_CHANNELS), samplesPerChannel: b.int('samplesPerChannel'), concealed: b.bool('concealed') };
      return r.done({ kind, block });
    }
    default:
      return err(`unknown message ${kind}`);
  }
}

export function parseStreamEvent(data: unknown): Parsed<StreamEvent> {
  const r = fieldReader(data, 'event');
  const kind = r.str('kind');
  switch (kind) {
    case 'connected':
      return ok({ kind });
    case 'first-frame':
      return r.done({ kind, afterMs: r.num('afterMs') });
    case 'stats':
      return r.done({ kind, stats: readStats(r.nested('stats')) });
    case 'hdr-mode':
      return r.done({ kind, enabled: r.bool('enabled') });
    case 'rumble':
      return r.done({ kind, controller: r.int('controller'), lowFrequency: r.int('lowFrequency'), highFrequency: r.int('highFrequency') });
    case 'ended': {
      const end = parseStreamEnd(r.raw('end'));
      return end.ok ? ok({ kind, end: end.value }) : end;
    }
    default:
      return err(`unknown event ${kind}`);
  }
}

export function parseStreamEnd(data: unknown): Parsed<StreamEnd> {
  const r = fieldReader(data, 'end');
  const kind = r.str('kind');
  switch (kind) {
    case 'stopped':
      return ok({ kind });
    case 'host-terminated': {
      const code = r.raw('code');
      if (code !== null && !(typeof code === 'number' && Number.isSafeInteger(code))) return err('bad termination code');
      return r.done({ kind, code, graceful: r.bool('graceful') });
    }
    case 'no-video':
      return r.done({ kind, received: r.oneOf('received', ['nothing', 'no-complete-frame'] as const) });
    case 'connection-lost':
    case 'protocol':
    case 'network':
    case 'media':
    case 'internal':
      return r.done({ kind, detail: r.str('detail') });
    default:
      return err(`unknown end ${kind}`);
  }
}

export function parseStreamSettings(data: unknown): Parsed<StreamSettings> {
  const r = fieldReader(data, 'settings');
  return r.done({
    width: r.int('width', 1, MAX_DIMENSION),
    height: r.int('height', 1, MAX_DIMENSION),
    fps: r.int('fps', 1, MAX_FPS),
    bitrateKbps: r.int('bitrateKbps', 1, MAX_BITRATE_KBPS),
    packetSizeBytes: r.int('packetSizeBytes', 1, MAX_PACKET_BYTES),
    network: r.oneOf('network', ['local', 'remote'] as const),
    videoFormats: r.int('videoFormats', 0, 0xffff),
    audioChannels: r.oneOf('audioChannels', AUDIO_CHANNELS),
    encryptVideo: r.bool('encryptVideo'),
    encryptAudio: r.bool('encryptAudio'),
    referenceFrameInvalidation: r.bool('referenceFrameInvalidation'),
    slicesPerFrame: r.int('slicesPerFrame', 1, MAX_SLICES),
    displayRefreshRateX100: r.int('displayRefreshRateX100', 0, MAX_FPS * 100),
    colorSpace: r.oneOf('colorSpace', ['rec601', 'rec709', 'rec2020'] as const),
    colorRange: r.oneOf('colorRange', ['limited', 'full'] as const),
    slowOpusDecoder: r.bool('slowOpusDecoder'),
    arbitraryAudioDuration: r.bool('arbitraryAudioDuration'),
  });
}

export function parsePreparedStream(data: unknown): Parsed<PreparedStream> {
  const r = fieldReader(data, 'prepared');
  const config = parseStreamConfig(r.raw('config'));
  if (!config.ok) return config;
  const i = r.nested('info');
  const info: StreamInfo = {
    appId: i.int('appId'),
    start: i.oneOf('start', ['launched', 'resumed'] as const),
    codec: i.oneOf('codec', VIDEO_CODECS),
    width: i.int('width', 1, MAX_DIMENSION),
    height: i.int('height', 1, MAX_DIMENSION),
    fps: i.int('fps', 1, MAX_FPS),
    hdr: i.bool('hdr'),
    audioChannels: i.oneOf('audioChannels', AUDIO_CHANNELS),
  };
  return r.done({ config: config.value, info });
}

export function parseStreamConfig(data: unknown): Parsed<StreamConfig> {
  const r = fieldReader(data, 'config');
  const ports = r.nested('ports');
  const v = r.nested('video');
  const a = r.nested('audio');
  const e = r.nested('encryption');
  const c = r.nested('control');
  const k = r.nested('keys');
  const channels = a.oneOf('channels', AUDIO_CHANNELS);
  const keys: LaunchKeys = { rikey: k.bytes('rikey', 16), rikeyId: k.int('rikeyId', -0x80000000, 0x7fffffff), remoteInputIv: k.bytes('remoteInputIv', 16) };
  const pingPayload = r.raw('pingPayload');
  if (pingPayload !== null && typeof pingPayload !== 'string') return err('config.pingPayload: not a string');
  return r.done({
    hostAddress: r.str('hostAddress'),
    ports: { video: ports.int('video', 1, 65535), audio: ports.int('audio', 1, 65535), control: ports.int('control', 1, 65535) },
    video: {
      codec: v.oneOf('codec', VIDEO_CODECS),
      format: v.int('format', 0, 0xffff),
      width: v.int('width', 1, MAX_DIMENSION),
      height: v.int('height', 1, MAX_DIMENSION),
      fps: v.int('fps', 1, MAX_FPS),
      packetSizeBytes: v.int('packetSizeBytes', 1, MAX_PACKET_BYTES),
      announcedBitrateKbps: v.int('announcedBitrateKbps', 0, MAX_BITRATE_KBPS),
      configuredBitrateKbps: v.int('configuredBitrateKbps', 0, MAX_BITRATE_KBPS),
      minRequiredFecPackets: v.int('minRequiredFecPackets', 0, 255),
      referenceFrameInvalidation: v.bool('referenceFrameInvalidation'),
      tenBit: v.bool('tenBit'),
      yuv444: v.bool('yuv444'),
      encoderCscMode: v.int('encoderCscMode', 0, 255),
      slicesPerFrame: v.int('slicesPerFrame', 1, MAX_SLICES),
    },
    audio: {
      channels,
      channelMask: a.int('channelMask', 0, 0xffff),
      streams: a.int('streams', 1, 8),
      coupledStreams: a.int('coupledStreams', 0, 8),
      mapping: a.intList('mapping', channels, 0, 255),
      packetDurationMs: a.oneOf('packetDurationMs', [5, 10] as const),
      highQuality: a.bool('highQuality'),
    },
    encryption: { rtsp: e.bool('rtsp'), enabledFlags: e.int('enabledFlags', 0, 0xffffffff), control: e.bool('control'), video: e.bool('video'), audio: e.bool('audio') },
    pingPayload,
    control: { connectData: c.int('connectData', 0, 0xffffffff), channelCount: c.int('channelCount', 1, 255), protocol: c.int('protocol', 0, 0xffff) },
    hostFeatureFlags: r.int('hostFeatureFlags', 0, 0xffffffff),
    clientFeatureFlags: r.int('clientFeatureFlags', 0, 0xffffffff),
    nvFeatureFlags: r.int('nvFeatureFlags', 0, 0xffffffff),
    rtspSessionId: r.str('rtspSessionId'),
    keys,
  });
}

function parseInit(data: unknown): Parsed<InitMessage> {
  const r = fieldReader(data, 'platform');
  const platform = r.str('platform');
  if (platform === 'browser') return r.done({ kind: 'init', platform, relayUrl: r.str('relayUrl'), token: r.str('token'), coreWasmUrl: r.str('coreWasmUrl') });
  if (platform === 'tizen') return r.done({ kind: 'init', platform, coreWasmUrl: r.str('coreWasmUrl') });
  return err('unknown platform');
}

function parseMediaTarget(data: unknown): Parsed<SessionMediaTarget> {
  const r = fieldReader(data, 'media');
  return r.done({ kind: r.oneOf('kind', MEDIA_TARGETS) });
}

function readStats(s: FieldReader): StreamStats {
  const firstFrameMs = s.raw('firstFrameMs');
  const audioDelayMs = s.raw('audioDelayMs');
  return {
    framesComplete: s.int('framesComplete'),
    framesRecoveredByFec: s.int('framesRecoveredByFec'),
    framesDropped: s.int('framesDropped'),
    idrRequests: s.int('idrRequests'),
    rfiRequests: s.int('rfiRequests'),
    audioBlocks: s.int('audioBlocks'),
    audioConcealed: s.int('audioConcealed'),
    packets: s.int('packets'),
    bytes: s.int('bytes'),
    firstFrameMs: typeof firstFrameMs === 'number' && Number.isFinite(firstFrameMs) ? firstFrameMs : null,
    audioDelayMs: typeof audioDelayMs === 'number' && Number.isFinite(audioDelayMs) ? audioDelayMs : null,
  };
}

// ---- a reader that notes the first problem and keeps going with placeholders ----

interface FieldReader {
  raw(key: string): unknown;
  str(key: string): string;
  num(key: string): number;
  /** A safe integer in [min, max]. */
  int(key: string, min?: number, max?: number): number;
  bool(key: string): boolean;
  /** A Uint8Array, of exactly `length` bytes when given. */
  bytes(key: string, length?: number): Uint8Array;
  oneOf<T extends string | number>(key: string, allowed: readonly T[]): T;
  intList(key: string, length: number, min: number, max: number): number[];
  nested(key: string): FieldReader;
  /** `value` when nothing was wrong, else the first problem. */
  done<T>(value: T): Parsed<T>;
}

function fieldReader(data: unknown, where: string, shared: { problem: string | null } = { problem: null }): FieldReader {
  const fields: Record<string, unknown> = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  if (fields !== data) shared.problem ??= `${where} is not an object`;
  const fail = <T>(key: string, what: string, placeholder: T): T => {
    shared.problem ??= `${where}.${key}: ${what}`;
    return placeholder;
  };
  const isInt = (value: unknown, min: number, max: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
  const reader: FieldReader = {
    raw: (key) => fields[key] ?? null,
    str: (key) => {
      const value = fields[key];
      return typeof value === 'string' ? value : fail(key, 'not a string', '');
    },
    num: (key) => {
      const value = fields[key];
      return typeof value === 'number' && Number.isFinite(value) ? value : fail(key, 'not a number', 0);
    },
    int: (key, min = 0, max = Number.MAX_SAFE_INTEGER) => {
      const value = fields[key];
      return isInt(value, min, max) ? value : fail(key, `not an integer in ${min}..${max}`, min);
    },
    bool: (key) => {
      const value = fields[key];
      return typeof value === 'boolean' ? value : fail(key, 'not a boolean', false);
    },
    bytes: (key, length) => {
      const value = fields[key];
      if (!(value instanceof Uint8Array)) return fail(key, 'not bytes', new Uint8Array(0));
      return length === undefined || value.length === length ? value : fail(key, `not ${length} bytes`, value);
    },
    oneOf: <T extends string | number>(key: string, allowed: readonly T[]): T => {
      const value = fields[key];
      const found = allowed.find((a) => a === value);
      return found !== undefined ? found : fail(key, `not one of ${allowed.join(', ')}`, allowed[0] as T);
    },
    intList: (key, length, min, max) => {
      const value = fields[key];
      if (!Array.isArray(value) || value.length !== length) return fail(key, `not a list of ${length}`, []);
      const list = value as unknown[];
      return list.every((item) => isInt(item, min, max)) ? (list as number[]) : fail(key, 'holds a bad number', []);
    },
    nested: (key) => fieldReader(fields[key], `${where}.${key}`, shared),
    done: (value) => (shared.problem === null ? ok(value) : err(shared.problem)),
  };
  return reader;
}

const MEDIA_TARGETS: ReadonlyArray<SessionMediaTarget['kind']> = ['post', 'emss', 'emss-video'];
const VIDEO_CODECS: readonly VideoCodec[] = ['h264', 'hevc', 'av1'];
const AUDIO_CHANNELS: readonly AudioChannelCount[] = [2, 6, 8];
// Bounds on values that only our own threads send; generous, they catch garbage not policy.
const MAX_DIMENSION = 16384;
const MAX_FPS = 1000;
const MAX_BITRATE_KBPS = 10_000_000;
const MAX_PACKET_BYTES = 65535;
const MAX_SLICES = 64;
const MAX_CHANNELS = 8;
