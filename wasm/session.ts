// The typed binding of the core's streaming session (native/include/gsc_session.h): one
// stream's video, audio and control datagrams in, datagrams to send and events out, on the
// caller's clock. The session worker drives it (src/session/session-loop.ts); the replay tool
// and the benchmarks drive it from recorded traffic.
//
// Each structure that crosses into core memory (config, event, counters) is described once
// below, in the order and at the offsets of the C declaration; session_abi.cpp asserts the C
// side of the same layout, and createSession checks the sizes against the running core.
// Borrowed views (rxBuffer, transmit bytes, frame data, PCM) point into core memory and are
// valid until the next call on the session; nothing here copies per packet.
import { err, ok, type Result } from '../src/lib/result.ts';
import type { StreamConfig, VideoCodec } from '../src/session/stream-config.ts';
import type { Core, CoreExports, CoreFunction, CoreStatusError } from './core.ts';

export type SessionChannel = 'video' | 'audio' | 'control';

export interface SessionOptions {
  /** Entropy for everything the session draws (ENet connect id...): at least 32 bytes. */
  seed: Uint8Array;
  /** Audio data packets dropped from the first one (default: 500 ms worth, as Moonlight does). */
  initialAudioDiscardPackets?: number;
  /** Leave the control stream out: no ENet, no `connected`, video starts at once (replaying media). */
  mediaOnly?: boolean;
  /**
   * False: no Opus decoding; each `audio-pcm` event then has empty `samples` and carries only
   * its `opus` packet (tools and benchmarks). Default true.
   */
  decodeAudio?: boolean;
}

export interface CoreSession {
  /** Zero-copy receive: a view of core memory to read the next datagram of `channel` into (valid until the next call on this session), then rxCommit. */
  rxBuffer(channel: SessionChannel): Uint8Array;
  /** `sizeBytes` is the datagram's true size: one longer than rxBuffer is counted malformed. */
  rxCommit(channel: SessionChannel, sizeBytes: number, nowUs: number): void;
  /** Convenience: copies the datagram in and commits. */
  receive(channel: SessionChannel, datagram: Uint8Array, nowUs: number): void;
  handleTimeout(nowUs: number): void;
  /** Drain after every input, in this order: pollTransmit until null, then pollEvent until null, then nextDeadlineUs. */
  pollTransmit(): { channel: SessionChannel; bytes: Uint8Array /* borrowed view, valid until the next call */ } | null;
  pollEvent(): SessionEvent | null;
  /** Number.POSITIVE_INFINITY when nothing is pending; 0 before the first input. */
  nextDeadlineUs(): number;
  requestIdr(): void;
  /**
   * The client leaves: the core starts ENet's graceful disconnect and raises `terminated`
   * (reason `stopped`). Keep draining and feeding control datagrams and timeouts until
   * nextDeadlineUs is infinite (the host acknowledged the goodbye, or the 2 s linger ran out).
   * No effect on a session that already ended.
   */
  stop(nowUs: number): void;
  stats(): SessionStats;
  /** Frees the core session; idempotent. Any other call afterwards is a bug and throws. */
  destroy(): void;
}

/** GSC_TERMINATED_*: the host ended it, a timeout, a broken control stream, or stop(). */
export type TerminationReason = 'host' | 'timeout' | 'protocol' | 'stopped';

export type SessionEvent =
  | { kind: 'connected' }
  | { kind: 'video-frame'; data: Uint8Array /* Annex-B access unit, borrowed view valid until the next call */; frameIndex: number; keyFrame: boolean; rtpTimestamp: number; firstPacketUs: number }
  | {
    kind: 'audio-pcm'; samples: Int16Array /* interleaved s16, borrowed */; channels: number; samplesPerChannel: number; sequence: number; concealed: boolean;
    /** The decrypted Opus packet the PCM was decoded from (borrowed), absent when the packet was lost. */
    opus?: Uint8Array;
  }
  | { kind: 'terminated'; reason: TerminationReason; hostCode: number | null; graceful: boolean }
  | { kind: 'rumble'; controller: number; lowFrequency: number; highFrequency: number }
  | { kind: 'hdr-mode'; enabled: boolean };

// gsc_session_counters, in declaration order: every field is a u32, and `u64` marks a count
// split in two u32 halves (lo, then hi).
const STATS_FIELDS = [
  ['videoPackets', 'u32'], ['videoBytes', 'u64'], ['videoMalformed', 'u32'], ['videoDecryptFailures', 'u32'],
  ['videoStale', 'u32'], ['videoDuplicate', 'u32'], ['videoLate', 'u32'], ['framesComplete', 'u32'], ['keyFrames', 'u32'],
  ['framesRecovered', 'u32'], ['framesDropped', 'u32'], ['framesLost', 'u32'], ['idrRequests', 'u32'], ['rfiRequests', 'u32'],
  ['audioPackets', 'u32'], ['audioBytes', 'u64'], ['audioMalformed', 'u32'], ['audioFrames', 'u32'], ['audioRecovered', 'u32'],
  ['audioLost', 'u32'], ['audioConcealed', 'u32'], ['audioDecryptFailures', 'u32'], ['audioDecodeFailures', 'u32'],
  ['audioDiscarded', 'u32'], ['controlPackets', 'u32'], ['controlBytes', 'u64'], ['controlMalformed', 'u32'],
  ['pingsSent', 'u32'], ['transmits', 'u32'], ['malformed', 'u32'], ['eventsDropped', 'u32'],
] as const;

type StatsField = (typeof STATS_FIELDS)[number][0];

/** The core's counters (plain numbers; u32 counts wrap at 2^32), plus `packets` and `bytes` over all channels. */
export type SessionStats = { readonly [K in StatsField | 'packets' | 'bytes']: number };

export function createSession(core: Core, config: StreamConfig, options: SessionOptions): Result<CoreSession, CoreStatusError> {
  const x = core.exports;
  const f = bindFunctions(x);
  checkLayouts(f.structSize);
  const failure = (status: number): { ok: false; error: CoreStatusError } =>
    err({ kind: 'core-status', call: 'createSession', status, name: x.statusName(status) });
  const pingPayload = config.pingPayload === null ? null : new TextEncoder().encode(config.pingPayload);
  if (options.seed.length < SEED_SIZE || config.keys.rikey.length !== KEY_SIZE || (pingPayload !== null && pingPayload.length !== PING_PAYLOAD_SIZE)) {
    return failure(GSC_ERR_BAD_LENGTH);
  }
  const created = x.scoped((s) => {
    const configPtr = s.alloc(CONFIG_SIZE);
    writeConfig(new DataView(x.heap().buffer), configPtr, config, options, pingPayload);
    const out = s.alloc(4);
    const status = f.create(configPtr, CONFIG_SIZE, out);
    return { status, handle: status === GSC_OK ? x.readU32(out) : 0 };
  });
  if (created.status !== GSC_OK) return failure(created.status);
  return ok(wrapSession(x, f, created.handle));
}

type SessionFunctions = ReturnType<typeof bindFunctions>;

function bindFunctions(x: CoreExports) {
  const fn = (name: string): CoreFunction => x.requireFn(`gsc_session_${name}`);
  return {
    structSize: fn('struct_size'),
    create: fn('create'),
    destroy: fn('destroy'),
    rxBuf: fn('rx_buf'),
    rxCommit: fn('rx_commit'),
    handleTimeout: fn('handle_timeout'),
    pollTransmit: fn('poll_transmit'),
    pollEvent: fn('poll_event'),
    nextDeadline: fn('next_deadline'),
    requestIdr: fn('request_idr'),
    stop: fn('stop'),
    stats: fn('stats'),
  };
}

function wrapSession(x: CoreExports, f: SessionFunctions, handle: number): CoreSession {
  // Per-session scratch in core memory, allocated once: the event, the counters, and words the
  // core writes results through (capacity/channel, two pointers, the deadline's halves).
  const eventPtr = x.alloc(EVENT_SIZE);
  const statsPtr = x.alloc(STATS_SIZE);
  const wordsPtr = x.alloc(WORDS_BYTES);
  let destroyed = false;
  let generation = -1;
  let memory: { bytes: Uint8Array; view: DataView } = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)) };

  const live = (): number => {
    if (destroyed) throw new Error('core session used after destroy');
    return handle;
  };
  // Views over core memory, taken again only when it has grown (which detaches old views).
  const mem = (): { bytes: Uint8Array; view: DataView } => {
    if (generation !== x.memoryGeneration() || memory.bytes.byteLength === 0) {
      generation = x.memoryGeneration();
      const bytes = x.heap();
      memory = { bytes, view: new DataView(bytes.buffer) };
    }
    return memory;
  };
  const u32 = (ptr: number): number => mem().view.getUint32(ptr, true);
  const expectOk = (call: string, status: number): void => {
    if (status !== GSC_OK) throw new Error(`gsc_session_${call} failed: ${x.statusName(status)}`);
  };

  const rxBuffer = (channel: SessionChannel): Uint8Array => {
    const ptr = f.rxBuf(live(), CHANNELS[channel], wordsPtr) >>> 0;
    if (ptr === 0) throw new Error(`gsc_session_rx_buf refused channel ${channel}`);
    const capacity = u32(wordsPtr);
    return mem().bytes.subarray(ptr, ptr + capacity);
  };
  const rxCommit = (channel: SessionChannel, sizeBytes: number, nowUs: number): void => {
    const [lo, hi] = timeHalves(nowUs);
    expectOk('rx_commit', f.rxCommit(live(), CHANNELS[channel], sizeBytes >>> 0, lo, hi));
  };

  return {
    rxBuffer,
    rxCommit,
    receive: (channel, datagram, nowUs) => {
      const target = rxBuffer(channel);
      // A datagram longer than the buffer is cut, and its true size tells the core to drop it.
      target.set(datagram.length <= target.length ? datagram : datagram.subarray(0, target.length));
      rxCommit(channel, datagram.length, nowUs);
    },
    handleTimeout: (nowUs) => {
      const [lo, hi] = timeHalves(nowUs);
      expectOk('handle_timeout', f.handleTimeout(live(), lo, hi));
    },
    pollTransmit: () => {
      const size = f.pollTransmit(live(), wordsPtr, wordsPtr + 4) >>> 0;
      if (size === 0) return null;
      const ptr = u32(wordsPtr + 4);
      return { channel: CHANNEL_NAMES[u32(wordsPtr)] ?? 'control', bytes: mem().bytes.subarray(ptr, ptr + size) };
    },
    pollEvent: () => {
      const kind = f.pollEvent(live(), eventPtr, wordsPtr) >>> 0;
      return kind === EVENT_NONE ? null : readEvent(mem(), kind, eventPtr, u32(wordsPtr), u32(wordsPtr + 4));
    },
    nextDeadlineUs: () => {
      f.nextDeadline(live(), wordsPtr);
      const lo = u32(wordsPtr);
      const hi = u32(wordsPtr + 4);
      return lo === U32_MAX && hi === U32_MAX ? Number.POSITIVE_INFINITY : hi * TWO_POW_32 + lo;
    },
    requestIdr: () => {
      expectOk('request_idr', f.requestIdr(live()));
    },
    stop: (nowUs) => {
      const [lo, hi] = timeHalves(nowUs);
      expectOk('stop', f.stop(live(), lo, hi));
    },
    stats: () => {
      expectOk('stats', f.stats(live(), statsPtr, STATS_SIZE));
      return readStats(mem().view, statsPtr);
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      f.destroy(handle);
      x.free(eventPtr);
      x.free(statsPtr);
      x.free(wordsPtr);
    },
  };
}

function readEvent(m: { bytes: Uint8Array; view: DataView }, kind: number, at: number, mainPtr: number, opusPtr: number): SessionEvent {
  const word = (offset: number): number => m.view.getUint32(at + offset, true);
  const size = word(EVENT.sizeBytes);
  switch (kind) {
    case EVENT_CONNECTED:
      return { kind: 'connected' };
    case EVENT_VIDEO_FRAME:
      return {
        kind: 'video-frame',
        data: m.bytes.subarray(mainPtr, mainPtr + size),
        frameIndex: word(EVENT.video.frameIndex),
        keyFrame: word(EVENT.video.keyFrame) !== 0,
        rtpTimestamp: word(EVENT.video.rtpTimestamp),
        firstPacketUs: word(EVENT.video.firstPacketUsHi) * TWO_POW_32 + word(EVENT.video.firstPacketUsLo),
      };
    case EVENT_AUDIO_FRAME: {
      const opusSize = word(EVENT.audio.opusSizeBytes);
      const event: Extract<SessionEvent, { kind: 'audio-pcm' }> = {
        kind: 'audio-pcm',
        samples: mainPtr === 0 ? new Int16Array(0) : new Int16Array(m.bytes.buffer, mainPtr, size / 2),
        channels: word(EVENT.audio.channels),
        samplesPerChannel: word(EVENT.audio.samplesPerChannel),
        sequence: word(EVENT.audio.sequence),
        concealed: word(EVENT.audio.concealed) !== 0,
      };
      if (opusPtr !== 0) event.opus = m.bytes.subarray(opusPtr, opusPtr + opusSize);
      return event;
    }
    case EVENT_TERMINATED:
      return {
        kind: 'terminated',
        reason: TERMINATION_REASONS[word(EVENT.terminated.reason)] ?? 'protocol',
        hostCode: word(EVENT.terminated.hasHostCode) !== 0 ? word(EVENT.terminated.hostCode) : null,
        graceful: word(EVENT.terminated.graceful) !== 0,
      };
    case EVENT_RUMBLE:
      return {
        kind: 'rumble',
        controller: word(EVENT.rumble.controller),
        lowFrequency: word(EVENT.rumble.lowFrequency),
        highFrequency: word(EVENT.rumble.highFrequency),
      };
    case EVENT_HDR_MODE:
      return { kind: 'hdr-mode', enabled: word(EVENT.hdr.enabled) !== 0 };
    default:
      throw new Error(`gsc_session_poll_event gave an unknown event kind ${kind}`);
  }
}

function readStats(view: DataView, at: number): SessionStats {
  const out: Record<string, number> = {};
  let offset = at;
  for (const [name, type] of STATS_FIELDS) {
    const lo = view.getUint32(offset, true);
    if (type === 'u64') {
      out[name] = view.getUint32(offset + 4, true) * TWO_POW_32 + lo;
      offset += 8;
    } else {
      out[name] = lo;
      offset += 4;
    }
  }
  const stats = out as Record<StatsField, number>;
  return {
    ...stats,
    packets: stats.videoPackets + stats.audioPackets + stats.controlPackets,
    bytes: stats.videoBytes + stats.audioBytes + stats.controlBytes,
  };
}

function writeConfig(view: DataView, at: number, config: StreamConfig, options: SessionOptions, pingPayload: Uint8Array | null): void {
  const u32 = (offset: number, value: number): void => view.setUint32(at + offset, value >>> 0, true);
  const bytes = (offset: number, value: Uint8Array): void => new Uint8Array(view.buffer, at + offset, value.length).set(value);
  new Uint8Array(view.buffer, at, CONFIG_SIZE).fill(0);
  const { video, audio } = config;
  u32(CONFIG.flags, (video.referenceFrameInvalidation ? FLAG_RFI : 0) | (options.mediaOnly === true ? FLAG_NO_CONTROL : 0) |
    (options.decodeAudio === false ? FLAG_AUDIO_NO_DECODE : 0));
  u32(CONFIG.videoCodec, CODECS[video.codec]);
  u32(CONFIG.videoPacketSizeBytes, video.packetSizeBytes);
  u32(CONFIG.videoMaxFrameBytes, maxFrameBytes(video.width, video.height));
  u32(CONFIG.videoTimeoutMs, VIDEO_TIMEOUT_MS);
  view.setUint8(at + CONFIG.audioChannels, audio.channels);
  view.setUint8(at + CONFIG.audioStreams, audio.streams);
  view.setUint8(at + CONFIG.audioCoupledStreams, audio.coupledStreams);
  view.setUint8(at + CONFIG.audioPacketDurationMs, audio.packetDurationMs);
  audio.mapping.slice(0, MAX_AUDIO_CHANNELS).forEach((channel, i) => view.setUint8(at + CONFIG.audioMapping + i, channel));
  u32(CONFIG.audioInitialDiscardPackets, options.initialAudioDiscardPackets ?? Math.round(AUDIO_DISCARD_MS / audio.packetDurationMs));
  const { encryption } = config;
  u32(CONFIG.encryptionFlags, (encryption.control ? ENCRYPT_CONTROL : 0) | (encryption.video ? ENCRYPT_VIDEO : 0) | (encryption.audio ? ENCRYPT_AUDIO : 0));
  view.setInt32(at + CONFIG.rikeyid, config.keys.rikeyId, true);
  bytes(CONFIG.aesKey, config.keys.rikey);
  u32(CONFIG.pingPayloadSizeBytes, pingPayload === null ? 0 : PING_PAYLOAD_SIZE);
  if (pingPayload !== null) bytes(CONFIG.pingPayload, pingPayload);
  u32(CONFIG.controlConnectData, config.control.connectData);
  u32(CONFIG.controlChannelCount, config.control.channelCount);
  bytes(CONFIG.seed, options.seed.subarray(0, SEED_SIZE));
}

/** An access unit never exceeds a raw 4:2:0 picture; between 1 MiB and the core's 16 MiB limit. */
function maxFrameBytes(width: number, height: number): number {
  return Math.min(MAX_FRAME_BYTES, Math.max(MIN_FRAME_BYTES, Math.ceil((width * height * 3) / 2)));
}

function timeHalves(nowUs: number): [number, number] {
  if (!(nowUs >= 0) || nowUs > Number.MAX_SAFE_INTEGER) throw new RangeError(`bad session time ${nowUs}`);
  const whole = Math.floor(nowUs);
  return [whole % TWO_POW_32, Math.floor(whole / TWO_POW_32)];
}

function checkLayouts(structSize: CoreFunction): void {
  const sizes: Array<[string, number, number]> = [
    ['gsc_session_config', STRUCT_CONFIG, CONFIG_SIZE],
    ['gsc_event', STRUCT_EVENT, EVENT_SIZE],
    ['gsc_session_counters', STRUCT_STATS, STATS_SIZE],
  ];
  for (const [name, which, expected] of sizes) {
    const actual = structSize(which) >>> 0;
    if (actual !== expected) throw new Error(`core.wasm's ${name} is ${actual} bytes, this binding expects ${expected}`);
  }
}

// Everything below mirrors native/include/gsc_session.h.
const GSC_OK = 0;
const GSC_ERR_BAD_LENGTH = -2;
const TWO_POW_32 = 0x1_0000_0000;
const U32_MAX = 0xffff_ffff;
const WORDS_BYTES = 8;

const CHANNELS: Readonly<Record<SessionChannel, number>> = { video: 0, audio: 1, control: 2 };
const CHANNEL_NAMES: readonly SessionChannel[] = ['video', 'audio', 'control'];
const CODECS: Readonly<Record<VideoCodec, number>> = { h264: 0, hevc: 1, av1: 2 };
const FLAG_RFI = 0x1;
const FLAG_NO_CONTROL = 0x2;
const FLAG_AUDIO_NO_DECODE = 0x4;
const ENCRYPT_CONTROL = 0x1;
const ENCRYPT_VIDEO = 0x2;
const ENCRYPT_AUDIO = 0x4;
const KEY_SIZE = 16;
const SEED_SIZE = 32;
const PING_PAYLOAD_SIZE = 16;
const MAX_AUDIO_CHANNELS = 8;
const STRUCT_CONFIG = 0;
const STRUCT_EVENT = 1;
const STRUCT_STATS = 2;
// Client choices, each with its source: MCC's video watchdog (data-plane.md §1.5) and audio
// discard (§3.5); frame bounds are the core's (gsc_session_config.video_max_frame_bytes).
const VIDEO_TIMEOUT_MS = 10_000;
const AUDIO_DISCARD_MS = 500;
const MIN_FRAME_BYTES = 1 << 20;
const MAX_FRAME_BYTES = 16 << 20;

/** gsc_session_config: byte offsets of each field. */
const CONFIG = {
  flags: 0, videoCodec: 4, videoPacketSizeBytes: 8, videoMaxFrameBytes: 12, videoMaxShardsPerBlock: 16,
  videoMaxBlocksPerFrame: 20, videoMaxFramesInFlight: 24, videoTimeoutMs: 28,
  audioChannels: 32, audioStreams: 33, audioCoupledStreams: 34, audioPacketDurationMs: 35, audioMapping: 36,
  audioInitialDiscardPackets: 44, encryptionFlags: 48, rikeyid: 52, aesKey: 56, pingPayloadSizeBytes: 72,
  pingPayload: 76, controlConnectData: 92, controlChannelCount: 96, seed: 100,
} as const;
const CONFIG_SIZE = CONFIG.seed + SEED_SIZE;

const EVENT_NONE = 0;
const EVENT_CONNECTED = 1;
const EVENT_VIDEO_FRAME = 2;
const EVENT_AUDIO_FRAME = 3;
const EVENT_TERMINATED = 4;
const EVENT_RUMBLE = 5;
const EVENT_HDR_MODE = 6;
const TERMINATION_REASONS: Readonly<Record<number, TerminationReason>> = { 1: 'host', 2: 'timeout', 3: 'protocol', 4: 'stopped' };

/** gsc_event: byte offsets; the union starts at 8. */
const EVENT = {
  kind: 0,
  sizeBytes: 4,
  video: { frameIndex: 8, rtpTimestamp: 12, firstPacketUsLo: 16, firstPacketUsHi: 20, keyFrame: 24, frameType: 28, hostLatency100us: 32 },
  audio: { sequence: 8, channels: 12, samplesPerChannel: 16, concealed: 20, recovered: 24, opusSizeBytes: 28 },
  terminated: { reason: 8, hasHostCode: 12, hostCode: 16, graceful: 20, status: 24 },
  rumble: { controller: 8, lowFrequency: 12, highFrequency: 16 },
  hdr: { enabled: 8 },
} as const;
const EVENT_UNION_WORDS = 10;
const EVENT_SIZE = EVENT.video.frameIndex + EVENT_UNION_WORDS * 4;

const STATS_SIZE = STATS_FIELDS.reduce((size, [, type]) => size + (type === 'u64' ? 8 : 4), 0);
